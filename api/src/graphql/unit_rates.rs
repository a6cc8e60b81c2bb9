//! Unit rates of the app-tracking cost breakdown, versioned by day.
use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::unit_rate;
use ledger::pricing::UnitRates;

use super::types::Date;
use super::{principal, state};
use crate::error::ApiResult;

#[derive(SimpleObject)]
pub struct UnitRateVersion {
    /// Null for the configured rates (`COGNITRACK_RATE_*`), in force
    /// before the first stored version.
    pub effective_from: Option<Date>,
    /// `config` or `admin`.
    pub source: String,
    pub db_op_nanos: i64,
    pub api_call_micros: i64,
    pub compute_second_micros: i64,
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<unit_rate::Model> for UnitRateVersion {
    fn from(v: unit_rate::Model) -> Self {
        Self {
            effective_from: Some(v.effective_from.into()),
            source: "admin".into(),
            db_op_nanos: v.db_op_nanos,
            api_call_micros: v.api_call_micros,
            compute_second_micros: v.compute_second_micros,
            created_by: Some(v.created_by),
            created_at: Some(v.created_at),
        }
    }
}

#[derive(InputObject)]
pub struct UnitRatesInput {
    /// First UTC day (`YYYY-MM-DD`) the rates apply to.
    pub effective_from: Date,
    /// Nano-USD per database operation.
    pub db_op_nanos: i64,
    /// Micro-USD per external API call.
    pub api_call_micros: i64,
    /// Micro-USD per second of compute.
    pub compute_second_micros: i64,
}

#[derive(Default)]
pub struct UnitRatesQuery;

#[Object]
impl UnitRatesQuery {
    /// Every version, newest first, ending with the configured rates.
    async fn unit_rates(&self, ctx: &Context<'_>) -> ApiResult<Vec<UnitRateVersion>> {
        principal(ctx).viewer()?;
        let state = state(ctx)?;
        let mut versions: Vec<UnitRateVersion> = ledger::pricing::unit_rates::list(&state.db)
            .await?
            .into_iter()
            .map(UnitRateVersion::from)
            .collect();
        let base = state.book.unit_rates;
        versions.push(UnitRateVersion {
            effective_from: None,
            source: "config".into(),
            db_op_nanos: base.db_op_nanos,
            api_call_micros: base.api_call_micros,
            compute_second_micros: base.compute_second_micros,
            created_by: None,
            created_at: None,
        });
        Ok(versions)
    }
}

#[derive(Default)]
pub struct UnitRatesMutation;

#[Object]
impl UnitRatesMutation {
    /// Sets the unit rates from a day on. Interactions already stored keep
    /// their cost; new ones on or after that day use these rates.
    async fn set_unit_rates(
        &self,
        ctx: &Context<'_>,
        input: UnitRatesInput,
    ) -> ApiResult<UnitRateVersion> {
        let claims = principal(ctx).admin()?;
        let state = state(ctx)?;
        let rates = UnitRates {
            db_op_nanos: input.db_op_nanos,
            api_call_micros: input.api_call_micros,
            compute_second_micros: input.compute_second_micros,
        };
        let day = input.effective_from.0;
        let saved =
            ledger::pricing::unit_rates::set(&state.db, &state.book, day, rates, &claims.sub)
                .await?;
        Ok(saved.into())
    }
}
