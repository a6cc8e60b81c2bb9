//! Provider-billed costs (OpenAI costs API, Anthropic cost report). Like
//! usage buckets, one call replaces a (connection, day) set as a whole, so
//! re-runs and restatements never double count.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::billed_cost::{ActiveModel, Column, Entity};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::money::usd_to_micros;
use crate::providers::{CostLine, ProviderKind};
use crate::{Error, Result};

/// (project, api key, line item, model): one stored row.
type LineKey = (String, String, String, String);

/// One day's billed lines as [`aggregate`] returns them and
/// [`replace_day`] stores them.
pub(crate) type DayLines = BTreeMap<LineKey, (Decimal, i64)>;

/// Sums lines that share a key (a provider may split one line item by
/// token type or tier) and converts each sum to micro-USD. Refuses the
/// whole day when an amount cannot be stored, so a day is never half kept.
pub fn aggregate(lines: Vec<CostLine>) -> Result<BTreeMap<LineKey, (Decimal, i64)>> {
    let mut sums: BTreeMap<LineKey, Decimal> = BTreeMap::new();
    for line in lines {
        let key = (
            line.project_id,
            line.api_key_id,
            line.description,
            line.model,
        );
        let sum = sums.entry(key).or_default();
        *sum = sum
            .checked_add(line.amount_usd)
            .ok_or_else(|| Error::InvalidInput("billed amount overflows".to_owned()))?;
    }
    sums.into_iter()
        .map(|(key, usd)| {
            let micros = usd_to_micros(usd).ok_or_else(|| {
                Error::InvalidInput(format!("billed amount {usd} USD is out of range"))
            })?;
            Ok((key, (usd, micros)))
        })
        .collect()
}

/// Replaces the billed lines of one connection and day; returns how many
/// rows are stored now.
pub async fn replace_day(
    db: &impl ConnectionTrait,
    connection_id: i64,
    provider: ProviderKind,
    day: NaiveDate,
    lines: BTreeMap<LineKey, (Decimal, i64)>,
    run_id: Option<i64>,
) -> Result<u64> {
    Entity::delete_many()
        .filter(Column::ConnectionId.eq(connection_id))
        .filter(Column::Day.eq(day))
        .exec(db)
        .await?;
    let count = lines.len() as u64;
    if count == 0 {
        return Ok(0);
    }
    let rows = lines.into_iter().map(
        |((project_id, api_key_id, line_item, model), (usd, micros))| ActiveModel {
            connection_id: Set(connection_id),
            provider: Set(provider),
            day: Set(day),
            project_id: Set(project_id),
            api_key_id: Set(api_key_id),
            line_item: Set(line_item),
            model: Set(model),
            amount_usd: Set(usd.normalize().to_string()),
            amount_micros: Set(micros),
            run_id: Set(run_id),
            ..Default::default()
        },
    );
    Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(project: &str, item: &str, usd: &str) -> CostLine {
        CostLine {
            project_id: project.into(),
            api_key_id: String::new(),
            description: item.into(),
            model: String::new(),
            amount_usd: usd.parse().expect("decimal"),
        }
    }

    #[test]
    fn lines_with_one_key_are_summed_exactly() {
        let sums = aggregate(vec![
            line("p", "gpt-4o, input", "0.1"),
            line("p", "gpt-4o, input", "0.2"),
            line("q", "gpt-4o, input", "0.0000005"),
        ])
        .expect("sums");
        let p = &sums[&(
            "p".into(),
            String::new(),
            "gpt-4o, input".into(),
            String::new(),
        )];
        assert_eq!(p.0.to_string(), "0.3");
        assert_eq!(p.1, 300_000);
        let q = &sums[&(
            "q".into(),
            String::new(),
            "gpt-4o, input".into(),
            String::new(),
        )];
        assert_eq!(q.1, 1, "half a micro-dollar rounds away from zero");
    }

    #[test]
    fn an_amount_out_of_range_refuses_the_day() {
        let huge = CostLine {
            amount_usd: Decimal::MAX,
            ..line("p", "x", "0")
        };
        assert!(aggregate(vec![huge]).is_err());
    }
}
