//! Budgets, webhooks and the alert history. Viewers read budgets and
//! alerts; everything else needs an admin (webhook URLs may embed tokens).

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{budget, budget_alert, webhook};
use ledger::budgets::{self, AlertStatus, BudgetStatus};
use ledger::money::micros_to_usd;
use ledger::page::PageRequest;
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;

use super::BigInt;
use super::types::{Date, Provider, connection, day_or_today};
use super::{master_key, parse_id, principal, state};
use crate::error::ApiResult;

/// A budget's standing in one period.
#[derive(SimpleObject)]
pub struct BudgetPeriodStatus {
    /// First UTC day of the period.
    pub period_start: Date,
    /// Last UTC day of the period.
    pub period_end: Date,
    /// The last day counted.
    pub as_of: Date,
    pub spend_usd: Decimal,
    /// Run-rate forecast of the period's final spend (daily: the spend).
    pub forecast_usd: Decimal,
    pub amount_usd: Decimal,
    /// Spend as a percent of the amount, two decimals, rounded down.
    pub percent_used: Decimal,
    pub forecast_percent_used: Decimal,
    /// Thresholds the spend has reached, ascending.
    pub thresholds_crossed: Vec<i32>,
    /// Buckets in scope without a price: when non-zero the spend is understated.
    pub unpriced_buckets: BigInt,
}

impl From<BudgetStatus> for BudgetPeriodStatus {
    fn from(s: BudgetStatus) -> Self {
        Self {
            period_start: s.window.start.into(),
            period_end: s.window.end.into(),
            as_of: s.as_of.into(),
            spend_usd: micros_to_usd(s.spend_micros),
            forecast_usd: micros_to_usd(s.forecast_micros),
            amount_usd: micros_to_usd(s.amount_micros),
            percent_used: s.percent_used(),
            forecast_percent_used: s.forecast_percent(),
            thresholds_crossed: s.crossed,
            unpriced_buckets: BigInt(s.unpriced_buckets),
        }
    }
}

#[derive(SimpleObject)]
pub struct Budget {
    pub id: ID,
    pub name: String,
    pub scope: BudgetScope,
    /// The project, key, user or model id; empty for `ORG`.
    pub scope_value: String,
    /// Null: every provider.
    pub provider: Option<Provider>,
    pub period: BudgetPeriod,
    pub amount_usd: Decimal,
    /// Percents of the amount that raise an alert, ascending.
    pub thresholds: Vec<i32>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The period containing the requested day (default today).
    pub current: BudgetPeriodStatus,
}

impl Budget {
    async fn load(db: &DatabaseConnection, b: budget::Model, day: NaiveDate) -> ApiResult<Self> {
        let current = budgets::status(db, &b, day).await?.into();
        Ok(Self {
            id: ID(b.id.to_string()),
            thresholds: budgets::thresholds_of(&b),
            amount_usd: micros_to_usd(b.amount_micros),
            name: b.name,
            scope: b.scope.into(),
            scope_value: b.scope_value,
            provider: b.provider.provider().map(Into::into),
            period: b.period.into(),
            enabled: b.enabled,
            created_at: b.created_at,
            updated_at: b.updated_at,
            current,
        })
    }
}

/// What a budget limits: the whole organisation or one dimension value.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::BudgetScope")]
pub enum BudgetScope {
    Org,
    Project,
    ApiKey,
    User,
    Model,
}

/// A UTC day or a UTC calendar month.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entity::enums::BudgetPeriod")]
pub enum BudgetPeriod {
    Daily,
    Monthly,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AlertDeliveryStatus {
    /// Not attempted yet.
    Pending,
    /// Attempted, not yet accepted by every webhook; the next evaluation retries.
    Retrying,
    /// Accepted by every webhook that existed when it was raised.
    Delivered,
    /// No webhook existed when it was raised.
    NoWebhook,
    /// Refused too often (see `BudgetEvaluation.alertsGivenUp`); no longer retried.
    GaveUp,
}

impl From<AlertStatus> for AlertDeliveryStatus {
    fn from(s: AlertStatus) -> Self {
        match s {
            AlertStatus::Pending => Self::Pending,
            AlertStatus::Retrying => Self::Retrying,
            AlertStatus::Delivered => Self::Delivered,
            AlertStatus::NoWebhook => Self::NoWebhook,
            AlertStatus::GaveUp => Self::GaveUp,
        }
    }
}

/// A threshold crossed in one period; raised once.
#[derive(SimpleObject)]
pub struct BudgetAlert {
    pub id: ID,
    /// The budget may since have been deleted; the fields below are as it was.
    pub budget_id: ID,
    pub budget_name: String,
    pub scope: BudgetScope,
    pub scope_value: String,
    /// Null: every provider.
    pub provider: Option<Provider>,
    pub period: BudgetPeriod,
    pub period_start: Date,
    pub threshold_pct: i32,
    pub spend_usd: Decimal,
    pub forecast_usd: Decimal,
    pub amount_usd: Decimal,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub status: AlertDeliveryStatus,
    /// HTTP attempts over all evaluations.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub delivered_webhook_ids: Vec<ID>,
}

impl From<budget_alert::Model> for BudgetAlert {
    fn from(a: budget_alert::Model) -> Self {
        Self {
            id: ID(a.id.to_string()),
            budget_id: ID(a.budget_id.to_string()),
            status: budgets::alert_status(&a).into(),
            delivered_webhook_ids: budgets::delivered_webhooks(&a)
                .into_iter()
                .map(|id| ID(id.to_string()))
                .collect(),
            period_start: a.period_start.into(),
            threshold_pct: a.threshold_pct,
            spend_usd: micros_to_usd(a.spend_micros),
            forecast_usd: micros_to_usd(a.forecast_micros),
            amount_usd: micros_to_usd(a.amount_micros),
            budget_name: a.budget_name,
            scope: a.scope.into(),
            scope_value: a.scope_value,
            provider: a.provider.provider().map(Into::into),
            period: a.period.into(),
            created_at: a.created_at,
            delivered_at: a.delivered_at,
            attempts: a.attempts,
            last_error: a.last_error,
        }
    }
}

/// A webhook; its signing secret is never shown after creation.
#[derive(SimpleObject)]
pub struct Webhook {
    pub id: ID,
    pub name: String,
    pub url: String,
    pub created_at: DateTime<Utc>,
}

impl From<webhook::Model> for Webhook {
    fn from(w: webhook::Model) -> Self {
        Self {
            id: ID(w.id.to_string()),
            name: w.name,
            url: w.url,
            created_at: w.created_at,
        }
    }
}

/// A new webhook. `secret` signs every delivery (`X-CogniTrack-Signature:
/// sha256=<hex HMAC-SHA256(secret, body)>`) and is shown this once.
#[derive(SimpleObject)]
pub struct CreatedWebhook {
    pub webhook: Webhook,
    pub secret: String,
}

/// What one budget evaluation did.
#[derive(SimpleObject)]
pub struct BudgetEvaluation {
    pub date: Date,
    pub budgets_evaluated: i64,
    /// Alerts newly raised.
    pub alerts_raised: i64,
    /// Alerts whose delivery completed.
    pub alerts_delivered: i64,
    /// (alert, webhook) deliveries accepted.
    pub deliveries: i64,
    pub failed_deliveries: i64,
    /// HTTP requests made, retries included.
    pub attempts: i64,
    /// Alerts still undelivered; the next evaluation retries them.
    pub alerts_pending: i64,
    /// Undelivered alerts whose webhooks refused them too often to retry.
    pub alerts_given_up: i64,
}

impl BudgetEvaluation {
    fn new(day: NaiveDate, r: budgets::EvaluationReport) -> Self {
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Self {
            date: day.into(),
            budgets_evaluated: n(r.budgets_evaluated),
            alerts_raised: n(r.alerts_raised),
            alerts_delivered: n(r.alerts_delivered),
            deliveries: n(r.deliveries),
            failed_deliveries: n(r.failed_deliveries),
            attempts: n(r.attempts),
            alerts_pending: n(r.alerts_pending),
            alerts_given_up: n(r.alerts_given_up),
        }
    }
}

#[derive(InputObject)]
pub struct BudgetInput {
    pub name: String,
    pub scope: BudgetScope,
    /// Required unless the scope is `ORG`.
    pub scope_value: Option<String>,
    /// Omitted: every provider.
    pub provider: Option<Provider>,
    pub period: BudgetPeriod,
    pub amount_usd: Decimal,
    /// Percents of the amount, each 1..=1000; default [50, 80, 100].
    pub thresholds: Option<Vec<i32>>,
    pub enabled: Option<bool>,
}

/// Scope, provider and period are fixed: to count something else, create
/// another budget.
#[derive(InputObject)]
pub struct UpdateBudgetInput {
    pub name: Option<String>,
    pub amount_usd: Option<Decimal>,
    pub thresholds: Option<Vec<i32>>,
    pub enabled: Option<bool>,
}

#[derive(Default)]
pub struct BudgetsQuery;

#[Object]
impl BudgetsQuery {
    /// Budgets with their standing in the period containing `date`
    /// (`YYYY-MM-DD`, default today UTC), in creation order.
    async fn budgets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        date: Option<Date>,
    ) -> ApiResult<Connection<String, Budget>> {
        principal(ctx).viewer()?;
        let db = &state(ctx)?.db;
        let day = day_or_today(date);
        let page = PageRequest::new(first, after.as_deref())?;
        let found = budgets::list(db, &page).await?;
        let had_cursor = page.after.is_some();
        let mut out = Connection::new(had_cursor, found.has_next);
        for (cursor, b) in found.items {
            out.edges
                .push(Edge::new(cursor.encode(), Budget::load(db, b, day).await?));
        }
        Ok(out)
    }

    async fn budget(&self, ctx: &Context<'_>, id: ID, date: Option<Date>) -> ApiResult<Budget> {
        principal(ctx).viewer()?;
        let db = &state(ctx)?.db;
        let day = day_or_today(date);
        let found = budgets::get(db, parse_id(&id)?).await?;
        Budget::load(db, found, day).await
    }

    /// The alert history, newest first; optionally of one budget.
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        budget_id: Option<ID>,
    ) -> ApiResult<Connection<String, BudgetAlert>> {
        principal(ctx).viewer()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let budget_id = budget_id.as_ref().map(parse_id).transpose()?;
        let found = budgets::alerts(&state(ctx)?.db, &page, budget_id).await?;
        Ok(connection(found, page.after.is_some(), BudgetAlert::from))
    }

    /// Alert webhooks (admin: a URL may embed a token). Secrets are never shown.
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<String, Webhook>> {
        principal(ctx).admin()?;
        let page = PageRequest::new(first, after.as_deref())?;
        let found = ledger::notify::list_webhooks(&state(ctx)?.db, &page).await?;
        Ok(connection(found, page.after.is_some(), Webhook::from))
    }
}

#[derive(Default)]
pub struct BudgetsMutation;

#[Object]
impl BudgetsMutation {
    async fn create_budget(&self, ctx: &Context<'_>, input: BudgetInput) -> ApiResult<Budget> {
        principal(ctx).admin()?;
        let db = &state(ctx)?.db;
        let created = budgets::create(
            db,
            budgets::NewBudget {
                name: input.name,
                scope: input.scope.into(),
                scope_value: input.scope_value,
                provider: input.provider.map(Into::into),
                period: input.period.into(),
                amount_usd: input.amount_usd,
                thresholds: input.thresholds,
                enabled: input.enabled,
            },
        )
        .await?;
        Budget::load(db, created, Utc::now().date_naive()).await
    }

    /// Changes a budget's name, amount, thresholds or enabled flag. Alerts
    /// already raised in the current period are not raised again.
    async fn update_budget(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateBudgetInput,
    ) -> ApiResult<Budget> {
        principal(ctx).admin()?;
        let db = &state(ctx)?.db;
        let updated = budgets::update(
            db,
            parse_id(&id)?,
            budgets::BudgetUpdate {
                name: input.name,
                amount_usd: input.amount_usd,
                thresholds: input.thresholds,
                enabled: input.enabled,
            },
        )
        .await?;
        Budget::load(db, updated, Utc::now().date_naive()).await
    }

    /// Deletes a budget; its alerts stay in the history.
    async fn delete_budget(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        principal(ctx).admin()?;
        budgets::delete(&state(ctx)?.db, parse_id(&id)?).await?;
        Ok(true)
    }

    /// Adds an http(s) webhook for budget alerts; its signing secret is shown once.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        name: String,
        url: String,
    ) -> ApiResult<CreatedWebhook> {
        principal(ctx).admin()?;
        let state = state(ctx)?;
        let created =
            ledger::notify::create_webhook(&state.db, master_key(state)?, &name, &url).await?;
        Ok(CreatedWebhook {
            webhook: created.webhook.into(),
            secret: created.secret,
        })
    }

    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        principal(ctx).admin()?;
        ledger::notify::delete_webhook(&state(ctx)?.db, parse_id(&id)?).await?;
        Ok(true)
    }

    /// Evaluates every enabled budget today (UTC) and delivers undelivered
    /// alerts now, as the scheduled job does.
    async fn evaluate_budgets(&self, ctx: &Context<'_>) -> ApiResult<BudgetEvaluation> {
        principal(ctx).admin()?;
        let db = &state(ctx)?.db;
        let today = Utc::now().date_naive();
        let report = budgets::evaluate(db, today, &state(ctx)?.webhooks).await?;
        Ok(BudgetEvaluation::new(today, report))
    }
}
