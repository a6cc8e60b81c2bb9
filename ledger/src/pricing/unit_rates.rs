//! Versioned unit rates: admins set new rates from a day on; interactions
//! are priced with the rates in force on their day, and stored ones keep
//! what they were priced with.
use chrono::{NaiveDate, Utc};
use entity::unit_rate::{self, ActiveModel, Column, Entity};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TryIntoModel,
};

use crate::Result;
use crate::error::invalid;
use crate::pricing::{PriceBook, UnitRates};

/// Far above any list price; stops a typo from pricing a db op at $1,000.
const MAX_RATE: i64 = 1_000_000;

/// Stores (or replaces, for the same day) the rates in force from
/// `effective_from`, then reloads the book.
pub async fn set(
    db: &impl ConnectionTrait,
    book: &PriceBook,
    effective_from: NaiveDate,
    rates: UnitRates,
    created_by: &str,
) -> Result<unit_rate::Model> {
    for (name, value) in [
        ("dbOpNanos", rates.db_op_nanos),
        ("apiCallMicros", rates.api_call_micros),
        ("computeSecondMicros", rates.compute_second_micros),
    ] {
        if !(0..=MAX_RATE).contains(&value) {
            return Err(invalid(format!("{name} must be between 0 and {MAX_RATE}")));
        }
    }
    let existing = Entity::find()
        .filter(Column::EffectiveFrom.eq(effective_from))
        .one(db)
        .await?;
    let mut row: ActiveModel = match existing {
        Some(found) => found.into(),
        None => ActiveModel {
            effective_from: Set(effective_from),
            ..Default::default()
        },
    };
    row.db_op_nanos = Set(rates.db_op_nanos);
    row.api_call_micros = Set(rates.api_call_micros);
    row.compute_second_micros = Set(rates.compute_second_micros);
    row.created_by = Set(created_by.to_owned());
    row.created_at = Set(Utc::now());
    let saved = row.save(db).await?.try_into_model()?;
    book.reload(db).await?;
    Ok(saved)
}

/// Stored versions, newest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<unit_rate::Model>> {
    Ok(Entity::find()
        .order_by_desc(Column::EffectiveFrom)
        .all(db)
        .await?)
}
