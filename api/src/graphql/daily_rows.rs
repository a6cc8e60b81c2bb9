//! The rows `dailyUsage` answers, written straight into the response.
//!
//! A year by model is thousands of rows. async-graphql's executor resolves
//! every field of every row as a boxed future of its own, which costs more
//! than the SQL that sums the rows; these rows are plain data with nothing
//! to await. So the selection is read once per request into a [`Plan`] (the
//! response keys and which field each reads) and every row is written from
//! it. A selection the plan does not cover (a field it does not know, one
//! response key used twice, a custom directive, every field skipped) goes
//! through the executor as before, so the answer never depends on which
//! path ran.
use std::borrow::Cow;
use std::collections::BTreeSet;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    Context, ContextSelectionSet, InputType, Name, OutputType, Positioned, SelectionField,
    ServerResult, Value,
};

use ledger::usage::Sum;

use super::usage::{DailyUsage, UsageGroup};

type Read<T> = fn(&T) -> Value;

/// Every field of `DailyUsage` but `group`, by its GraphQL name, with the
/// sums it is made of.
const ROW_FIELDS: [(&str, Read<DailyUsage>, &[Sum]); 12] = [
    ("date", |r| r.date.to_value(), &[]),
    (
        "inputTokens",
        |r| r.input_tokens.to_value(),
        &[Sum::InputTokens],
    ),
    (
        "inputCachedTokens",
        |r| r.input_cached_tokens.to_value(),
        &[Sum::InputCachedTokens],
    ),
    (
        "inputCacheWriteTokens",
        |r| r.input_cache_write_tokens.to_value(),
        &[Sum::InputCacheWriteTokens],
    ),
    (
        "outputTokens",
        |r| r.output_tokens.to_value(),
        &[Sum::OutputTokens],
    ),
    (
        "inputAudioTokens",
        |r| r.input_audio_tokens.to_value(),
        &[Sum::InputAudioTokens],
    ),
    (
        "outputAudioTokens",
        |r| r.output_audio_tokens.to_value(),
        &[Sum::OutputAudioTokens],
    ),
    (
        "numModelRequests",
        |r| r.num_model_requests.to_value(),
        &[Sum::NumModelRequests],
    ),
    (
        "costUsd",
        |r| r.cost_usd.to_value(),
        &[Sum::CostMicros, Sum::UnpricedBuckets],
    ),
    (
        "pricedCostUsd",
        |r| r.priced_cost_usd.to_value(),
        &[Sum::CostMicros],
    ),
    (
        "unpricedBuckets",
        |r| r.unpriced_buckets.to_value(),
        &[Sum::UnpricedBuckets],
    ),
    (
        "costEstimated",
        |r| r.cost_estimated.to_value(),
        &[Sum::EstimatedBuckets],
    ),
];

/// The sums the rows need for the fields the field `ctx` resolves selects
/// (fragments included). The executor too reads only selected fields, so
/// either path answers from these.
pub fn sums(ctx: &Context<'_>) -> Vec<Sum> {
    sums_for(ctx.field().selection_set().map(|selected| selected.name()))
}

/// The sums `DailyUsage` rows need for the fields named `fields`, in
/// [`Sum::ALL`] order: each field's own, every sum for a field this table
/// does not know.
pub fn sums_for<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<Sum> {
    let mut needed = BTreeSet::new();
    for name in fields {
        match name {
            "__typename" | "group" => {}
            name => match ROW_FIELDS.iter().find(|(known, ..)| *known == name) {
                Some((.., sums)) => needed.extend(sums.iter().copied()),
                None => return Sum::ALL.to_vec(),
            },
        }
    }
    needed.into_iter().collect()
}

/// Every field of `UsageGroup`, by its GraphQL name.
const GROUP_FIELDS: [(&str, Read<UsageGroup>); 7] = [
    ("provider", |g| g.provider.to_value()),
    ("projectId", |g| g.project_id.to_value()),
    ("apiKeyId", |g| g.api_key_id.to_value()),
    ("userId", |g| g.user_id.to_value()),
    ("model", |g| g.model.to_value()),
    ("serviceTier", |g| g.service_tier.to_value()),
    ("batch", |g| g.batch.to_value()),
];

/// `dailyUsage`'s answer: GraphQL type `[DailyUsage!]!`, as before.
pub struct DailyRows {
    rows: Vec<DailyUsage>,
    plan: Option<Plan<DailyUsage>>,
}

impl DailyRows {
    /// `rows` as the field `ctx` resolves selects them.
    pub fn new(ctx: &Context<'_>, rows: Vec<DailyUsage>) -> Self {
        let fields = ROW_FIELDS.map(|(name, read, _)| (name, read));
        let plan = Plan::of(ctx.field(), "DailyUsage", &fields, |group| {
            Plan::of(group, "UsageGroup", &GROUP_FIELDS, |_| None)
        });
        Self { rows, plan }
    }
}

impl OutputType for DailyRows {
    fn type_name() -> Cow<'static, str> {
        <Vec<DailyUsage> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<DailyUsage> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<DailyUsage> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match &self.plan {
            Some(plan) => Ok(Value::List(
                self.rows.iter().map(|r| plan.write(r)).collect(),
            )),
            None => self.rows.resolve(ctx, field).await,
        }
    }
}

/// What one selected response key holds.
enum Column<T> {
    Typename(&'static str),
    Read(Read<T>),
    /// `DailyUsage.group`, itself planned.
    Group(Plan<UsageGroup>),
}

/// The response keys of one object, in selection order.
struct Plan<T> {
    columns: Vec<(Name, Column<T>)>,
}

impl<T> Plan<T> {
    /// The plan for the fields `field` selects on an object of type
    /// `type_name` with the readable `fields`, `group` planning a nested
    /// `group` selection; `None` where the executor must answer.
    fn of(
        field: SelectionField<'_>,
        type_name: &'static str,
        fields: &[(&str, Read<T>)],
        group: impl Fn(SelectionField<'_>) -> Option<Plan<UsageGroup>>,
    ) -> Option<Self> {
        let mut columns: Vec<(Name, Column<T>)> = Vec::new();
        for selected in field.selection_set() {
            // `@skip` and `@include` were applied before execution began.
            let directives = selected.directives().ok()?;
            if (directives.iter()).any(|d| !matches!(d.name.node.as_str(), "skip" | "include")) {
                return None;
            }
            let key = selected.alias().unwrap_or(selected.name());
            if columns.iter().any(|(name, _)| name.as_str() == key) {
                return None;
            }
            let column = match selected.name() {
                "__typename" => Column::Typename(type_name),
                "group" => Column::Group(group(selected)?),
                name => {
                    let (_, read) = fields.iter().find(|(known, _)| *known == name)?;
                    Column::Read(*read)
                }
            };
            columns.push((Name::new(key), column));
        }
        // Every field skipped: the executor answers null for the object.
        (!columns.is_empty()).then_some(Self { columns })
    }
}

impl Plan<DailyUsage> {
    fn write(&self, row: &DailyUsage) -> Value {
        self.object(row, |plan| plan.group(&row.group))
    }
}

impl Plan<UsageGroup> {
    fn group(&self, group: &UsageGroup) -> Value {
        self.object(group, |_| Value::Null)
    }
}

impl<T> Plan<T> {
    fn object(&self, value: &T, group: impl Fn(&Plan<UsageGroup>) -> Value) -> Value {
        let mut object = IndexMap::with_capacity(self.columns.len());
        for (key, column) in &self.columns {
            let value = match column {
                Column::Typename(name) => Value::String((*name).to_owned()),
                Column::Read(read) => read(value),
                Column::Group(plan) => group(plan),
            };
            object.insert(key.clone(), value);
        }
        Value::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use async_graphql::{EmptyMutation, EmptySubscription, Object, Request, Schema};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::graphql::types::{BatchMode, Date, Provider};

    fn rows() -> Vec<DailyUsage> {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a valid day");
        (0..3_i64)
            .map(|i| DailyUsage {
                date: Date(day + chrono::Days::new(i.unsigned_abs())),
                group: UsageGroup {
                    provider: (i != 1).then_some(Provider::OpenAi),
                    project_id: Some(format!("proj_{i}")),
                    api_key_id: None,
                    user_id: (i == 2).then(String::new),
                    model: Some("gpt-4o".into()),
                    service_tier: None,
                    batch: (i == 0).then_some(BatchMode::Batch),
                },
                input_tokens: (1_000 * i + 7).into(),
                input_cached_tokens: (i * 3).into(),
                input_cache_write_tokens: i64::MAX.into(),
                output_tokens: (-i).into(),
                input_audio_tokens: 0.into(),
                output_audio_tokens: 5.into(),
                num_model_requests: (i + 1).into(),
                cost_usd: (i != 1).then(|| Decimal::new(1_234_567 * (i + 1), 6)),
                priced_cost_usd: Decimal::new(1_234_567 * (i + 1), 6),
                unpriced_buckets: i,
                cost_estimated: i == 2,
            })
            .collect()
    }

    struct Query;

    /// What the `planned` field saw: whether a plan covered its selection,
    /// and the sums it asked for.
    #[derive(Clone, Default)]
    struct Covered(Arc<AtomicBool>, Arc<std::sync::Mutex<Vec<Sum>>>);

    #[Object]
    impl Query {
        /// The executor's answer.
        async fn executor(&self) -> Vec<DailyUsage> {
            rows()
        }

        /// The planned answer; whether a plan covered the selection goes
        /// to the request's `Covered`.
        async fn planned(&self, ctx: &Context<'_>) -> DailyRows {
            let rows = DailyRows::new(ctx, rows());
            if let Ok(covered) = ctx.data::<Covered>() {
                covered.0.store(rows.plan.is_some(), Ordering::SeqCst);
                if let Ok(mut seen) = covered.1.lock() {
                    *seen = sums(ctx);
                }
            }
            rows
        }
    }

    fn schema() -> Schema<Query, EmptyMutation, EmptySubscription> {
        Schema::new(Query, EmptyMutation, EmptySubscription)
    }

    async fn data(selection: &str, field: &str, covered: &Covered) -> Value {
        let fragment = if selection.contains("...F") {
            "fragment F on DailyUsage { date costUsd }"
        } else {
            ""
        };
        let query = format!("{{ {field} {selection} }} {fragment}");
        let response = schema()
            .execute(Request::new(query).data(covered.clone()))
            .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        match response.data {
            Value::Object(mut data) => data.shift_remove(field).expect("the field's answer"),
            other => panic!("no data: {other}"),
        }
    }

    /// Every field name of `type_name`, read from the schema itself so a
    /// field added later is checked too.
    async fn fields_of(type_name: &str) -> Vec<String> {
        let query = format!("{{ __type(name: \"{type_name}\") {{ fields {{ name }} }} }}");
        let data = schema()
            .execute(query)
            .await
            .data
            .into_json()
            .expect("JSON");
        let names: Vec<String> = data["__type"]["fields"]
            .as_array()
            .expect("the type's fields")
            .iter()
            .filter_map(|f| f["name"].as_str().map(str::to_owned))
            .collect();
        assert!(names.len() > 5, "{type_name} has fields: {names:?}");
        names
    }

    #[tokio::test]
    async fn the_plan_knows_every_field() {
        for name in fields_of("DailyUsage").await {
            let known = name == "group" || ROW_FIELDS.iter().any(|(f, ..)| *f == name);
            assert!(known, "DailyUsage.{name} is not in ROW_FIELDS");
        }
        for name in fields_of("UsageGroup").await {
            assert!(
                GROUP_FIELDS.iter().any(|(f, _)| *f == name),
                "UsageGroup.{name} is not in GROUP_FIELDS"
            );
        }
    }

    #[tokio::test]
    async fn planned_answers_equal_the_executors() {
        let every_row_field = ROW_FIELDS.map(|(name, ..)| name).join(" ");
        let every_group_field = GROUP_FIELDS.map(|(name, _)| name).join(" ");
        // Each selection, and whether the plan answers it (or the executor).
        let selections = [
            (
                format!("{{ {every_row_field} group {{ {every_group_field} __typename }} }}"),
                true,
            ),
            ("{ date }".to_owned(), true),
            (
                "{ d: date day: date g: group { m: model p: provider b: batch } __typename }"
                    .to_owned(),
                true,
            ),
            (
                "{ ...F group { ... on UsageGroup { userId } } ... on DailyUsage { inputTokens } }"
                    .to_owned(),
                true,
            ),
            (
                "{ date @skip(if: true) inputTokens @include(if: true) costUsd @skip(if: false) }"
                    .to_owned(),
                true,
            ),
            // One response key twice: merged by the executor.
            (
                "{ group { model } group { projectId } date date }".to_owned(),
                false,
            ),
            // Nothing left to select: null objects, from the executor.
            ("{ date @skip(if: true) }".to_owned(), false),
        ];
        for (selection, plan_answers) in &selections {
            let covered = Covered::default();
            let executor = data(selection, "executor", &covered).await;
            let planned = data(selection, "planned", &covered).await;
            assert_eq!(
                covered.0.load(Ordering::SeqCst),
                *plan_answers,
                "{selection}"
            );
            assert!(
                matches!(&executor, Value::List(rows) if rows.len() == 3),
                "{selection}: {executor}"
            );
            // Displayed, so the keys' order counts as well as their values.
            assert_eq!(planned.to_string(), executor.to_string(), "{selection}");
        }
    }

    #[tokio::test]
    async fn a_selection_asks_for_the_sums_of_its_fields_fragments_included() {
        use Sum as S;
        let cases: [(&str, Vec<Sum>); 5] = [
            ("{ date group { model } __typename }", vec![]),
            (
                "{ o: outputTokens costEstimated inputTokens }",
                vec![S::InputTokens, S::OutputTokens, S::EstimatedBuckets],
            ),
            // F selects date and costUsd.
            (
                "{ ...F ... on DailyUsage { numModelRequests } }",
                vec![S::NumModelRequests, S::CostMicros, S::UnpricedBuckets],
            ),
            (
                "{ pricedCostUsd unpricedBuckets pricedCostUsd }",
                vec![S::CostMicros, S::UnpricedBuckets],
            ),
            (
                "{ inputCachedTokens inputCacheWriteTokens inputAudioTokens outputAudioTokens }",
                vec![
                    S::InputCachedTokens,
                    S::InputCacheWriteTokens,
                    S::InputAudioTokens,
                    S::OutputAudioTokens,
                ],
            ),
        ];
        for (selection, expected) in cases {
            let covered = Covered::default();
            data(selection, "planned", &covered).await;
            let seen = covered.1.lock().expect("not poisoned").clone();
            assert_eq!(seen, expected, "{selection}");
        }
    }

    /// Each field read from totals holding only its sums (all a read of
    /// them fetches) answers as from the whole totals.
    #[test]
    fn each_field_needs_only_its_sums() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a valid day");
        let whole = |unpriced: i64| ledger::usage::Totals {
            input_tokens: 11,
            input_cached_tokens: 12,
            input_cache_write_tokens: 13,
            output_tokens: 14,
            input_audio_tokens: 15,
            output_audio_tokens: 16,
            num_model_requests: 17,
            cost_micros: 1_800_000,
            unpriced_buckets: unpriced,
            estimated_buckets: 2,
        };
        let answer = |totals: ledger::usage::Totals| {
            let row = ledger::usage::DailyRow {
                day,
                group: ledger::usage::GroupKey::new(),
                totals,
            };
            DailyUsage::of(row).expect("a valid row")
        };
        let mut compared = 0;
        for unpriced in [0, 3] {
            let full = answer(whole(unpriced));
            for (name, read, sums) in ROW_FIELDS {
                let part = answer(whole(unpriced).only(sums));
                assert_eq!(read(&part), read(&full), "{name} with {unpriced} unpriced");
                compared += 1;
            }
        }
        assert_eq!(compared, 2 * ROW_FIELDS.len());
    }

    #[tokio::test]
    async fn the_schema_type_is_unchanged() {
        let sdl = schema().sdl();
        assert!(sdl.contains("executor: [DailyUsage!]!"), "{sdl}");
        assert!(sdl.contains("planned: [DailyUsage!]!"), "{sdl}");
    }
}
