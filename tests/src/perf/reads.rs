//! Dashboard reads: `dailyUsage` (a year, three projects, by model) and
//! the sessions page, over HTTP and as SQL on the database.
use std::time::Instant;

use anyhow::Result;
use chrono::NaiveDate;
use entity::session;
use ledger::usage::Dimension;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement, Value,
};
use serde_json::{Value as Json, json};

use super::measure::Latencies;
use super::server::Server;
use super::shape;

/// The numbers the dashboard's usage chart asks of `dailyUsage`, per row.
const DAILY_NUMBERS: [&str; 5] = [
    "inputTokens",
    "inputCachedTokens",
    "outputTokens",
    "numModelRequests",
    "costUsd",
];

/// What the dashboard's usage chart asks of `dailyUsage`.
pub fn daily_fields() -> String {
    format!("date group {{ model }} {}", DAILY_NUMBERS.join(" "))
}

/// The same rows with one field each: beside [`daily_fields`] it shows what
/// resolving and serialising the rows' fields costs.
pub const DATE_ONLY: &str = "date";
const SESSIONS: &str = "query($f: SessionFilter, $o: SessionOrderBy) { sessions(first: 50, filter: $f, orderBy: $o) { edges { node { id userId startedAt interactionCount totalCostUsd } } } }";

/// The three projects every `dailyUsage` figure filters on.
pub fn projects() -> Vec<String> {
    [0, 7, 13].map(shape::project).to_vec()
}

/// Closed loop: `n` requests one after another, each selecting `fields`
/// of every row.
pub async fn server_daily_usage(
    server: &Server,
    (from, to): (NaiveDate, NaiveDate),
    fields: &str,
    n: usize,
) -> Result<Latencies> {
    let query = format!(
        "query($f: UsageFilter!, $g: [UsageDimension!]) {{ dailyUsage(filter: $f, groupBy: $g) {{ {fields} }} }}"
    );
    let variables = json!({
        "f": {"from": from.to_string(), "to": to.to_string(), "projectIds": projects()},
        "g": ["MODEL"],
    });
    // One untimed call: the first also warms the pool and caches.
    let first = server.gql(&server.admin, &query, variables.clone()).await?;
    let rows = first["dailyUsage"].as_array().map_or(0, Vec::len);
    if rows == 0 {
        anyhow::bail!("dailyUsage answered no rows");
    }
    let mut latencies = Latencies::default();
    for _ in 0..n {
        let (took, data) = server
            .timed_gql(&server.admin, &query, variables.clone())
            .await?;
        let answered = data["dailyUsage"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(answered == rows, "{answered} rows, then {rows}");
        latencies.push(took);
    }
    Ok(latencies)
}

fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// The filter both statements share: the half-open UTC span and the
/// projects, with the values to bind.
fn filter(backend: DbBackend, from: NaiveDate, to: NaiveDate) -> Result<(String, Vec<Value>)> {
    let (start, end) = ledger::dates::DayRange::new(from, to)?.bounds();
    let mut values: Vec<Value> = vec![start.into(), end.into()];
    let mut marks = Vec::new();
    for project in projects() {
        values.push(project.into());
        marks.push(placeholder(backend, values.len()));
    }
    let sql = format!(
        "window_start >= {} AND window_start < {} AND project_id IN ({})",
        placeholder(backend, 1),
        placeholder(backend, 2),
        marks.join(", ")
    );
    Ok((sql, values))
}

const SUMS: &str = "CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT) AS input_tokens, \
    CAST(COALESCE(SUM(input_cached_tokens), 0) AS BIGINT) AS input_cached_tokens, \
    CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) AS output_tokens, \
    CAST(COALESCE(SUM(num_model_requests), 0) AS BIGINT) AS num_model_requests";

/// The server's `dailyUsage` statement for this query, exactly as the
/// ledger builds it (the rollup grain that keeps project and model).
pub async fn rollup_statement(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Statement> {
    let mut filter = ledger::usage::UsageFilter::new(ledger::dates::DayRange::new(from, to)?);
    filter.project_ids = projects();
    // The sums the server reads for the chart's fields.
    let sums = api::graphql::daily_usage_sums(DAILY_NUMBERS);
    let mut statements =
        ledger::usage::daily_usage_statements(db, &filter, &[Dimension::Model], &sums).await?;
    anyhow::ensure!(
        statements.len() == 1,
        "dailyUsage did not read one rollup statement: {} statements",
        statements.len()
    );
    let statement = statements.remove(0);
    Ok(db.get_database_backend().build(&statement))
}

/// The naive statement: the same sums straight from the buckets (hot, or
/// hot and archived when the range reaches the archive).
pub fn naive_statement(
    backend: DbBackend,
    from: NaiveDate,
    to: NaiveDate,
    archived: bool,
) -> Result<Statement> {
    let (cond, values) = filter(backend, from, to)?;
    let columns = "window_start, model, input_tokens, input_cached_tokens, output_tokens, num_model_requests, cost_micros, project_id";
    let source = if archived {
        format!(
            "(SELECT {columns} FROM usage_bucket UNION ALL SELECT {columns} FROM usage_bucket_archive) AS b"
        )
    } else {
        "usage_bucket".to_owned()
    };
    let sql = format!(
        "SELECT {SUMS}, CAST(COALESCE(SUM(COALESCE(cost_micros, 0)), 0) AS BIGINT) AS cost_micros, window_start, model \
         FROM {source} WHERE {cond} GROUP BY window_start, model"
    );
    Ok(Statement::from_sql_and_values(backend, sql, values))
}

/// `n` runs of `statement`, reading every row.
pub async fn raw_latencies(
    db: &impl ConnectionTrait,
    statement: &Statement,
    n: usize,
) -> Result<Latencies> {
    let mut latencies = Latencies::default();
    for _ in 0..n {
        let started = Instant::now();
        let rows = db.query_all_raw(statement.clone()).await?;
        std::hint::black_box(rows.len());
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// A sessions-page filter: a name for the table, the GraphQL variables and
/// the statement the server's `list_sessions` runs for it.
pub struct SessionCase {
    pub name: &'static str,
    pub variables: Json,
    pub statement: Statement,
}

pub fn session_cases(backend: DbBackend, last_day: NaiveDate) -> Result<Vec<SessionCase>> {
    use session::Column as C;
    let week = ledger::dates::DayRange::new(last_day - chrono::Days::new(6), last_day)?;
    let (start, end) = week.bounds();
    let user = shape::user(7);
    let newest = |q: sea_orm::Select<session::Entity>| {
        q.order_by_desc(C::StartedAt)
            .order_by_desc(C::Id)
            .limit(51)
            .build(backend)
    };
    Ok(vec![
        SessionCase {
            name: "newest",
            variables: json!({}),
            statement: newest(session::Entity::find()),
        },
        SessionCase {
            name: "one user",
            variables: json!({"f": {"userId": user}}),
            statement: newest(session::Entity::find().filter(C::UserId.eq(user.as_str()))),
        },
        SessionCase {
            name: "last 7 days",
            variables: json!({"f": {"from": week.from.to_string(), "to": week.to.to_string()}}),
            statement: newest(
                session::Entity::find()
                    .filter(C::StartedAt.gte(start))
                    .filter(C::StartedAt.lt(end)),
            ),
        },
        SessionCase {
            name: "most expensive",
            variables: json!({"o": {"field": "COST", "descending": true}}),
            statement: session::Entity::find()
                .order_by_desc(C::TotalCostMicros)
                .order_by_desc(C::Id)
                .limit(51)
                .build(backend),
        },
    ])
}

pub async fn server_sessions(server: &Server, case: &SessionCase, n: usize) -> Result<Latencies> {
    let page = server
        .gql(&server.admin, SESSIONS, case.variables.clone())
        .await?;
    if page["sessions"]["edges"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        anyhow::bail!("the sessions page ({}) is empty", case.name);
    }
    let mut latencies = Latencies::default();
    for _ in 0..n {
        let (took, _) = server
            .timed_gql(&server.admin, SESSIONS, case.variables.clone())
            .await?;
        latencies.push(took);
    }
    Ok(latencies)
}
