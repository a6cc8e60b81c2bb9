//! Telling a live run from a dead one, across replicas. While a run is
//! `running` its process holds the lease row `run:<id>` in `job_lease`,
//! renewed every [`RENEW_EVERY`] for [`TTL`]. A `running` run without an
//! unexpired lease has lost its process (killed, crashed, stopped past the
//! shutdown bound): [`mark_abandoned`] settles it as `abandoned`. Runs
//! recorded before the lease existed have none, so they are settled too.
use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use entity::enums::RunStatus;
use entity::{ingestion_run, job_lease};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::Result;

/// How long a run's lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(120);
/// How often a running run renews its lease.
pub const RENEW_EVERY: Duration = Duration::from_secs(30);
/// The lease names of runs start with this.
pub const PREFIX: &str = "run:";

pub fn lease_name(run_id: i64) -> String {
    format!("{PREFIX}{run_id}")
}

/// Takes (or renews) the run's lease for this process.
pub(crate) async fn renew(db: &impl ConnectionTrait, run_id: i64) -> Result<()> {
    let expires_at = Utc::now() + chrono::Duration::from_std(TTL).unwrap_or_default();
    job_lease::Entity::insert(job_lease::ActiveModel {
        name: Set(lease_name(run_id)),
        holder: Set(crate::db::process_id()),
        expires_at: Set(expires_at),
    })
    .on_conflict(
        OnConflict::column(job_lease::Column::Name)
            .update_columns([job_lease::Column::Holder, job_lease::Column::ExpiresAt])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Renews the run's lease until dropped (the run's work is selected with it).
pub(crate) async fn keep_alive(db: &impl ConnectionTrait, run_id: i64) -> std::convert::Infallible {
    let mut beat = tokio::time::interval(RENEW_EVERY);
    beat.tick().await;
    loop {
        beat.tick().await;
        if let Err(error) = renew(db, run_id).await {
            tracing::warn!(run_id, %error, "could not renew the run's lease");
        }
    }
}

pub(crate) async fn release(db: &impl ConnectionTrait, run_id: i64) -> Result<()> {
    job_lease::Entity::delete_many()
        .filter(job_lease::Column::Name.eq(lease_name(run_id)))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks every `running` run whose lease is missing or expired as
/// `abandoned` (finished now) and drops expired run leases; returns the
/// ids it settled. Safe on every start of every replica: a live run on
/// another replica keeps its lease fresh.
pub async fn mark_abandoned(db: &impl ConnectionTrait) -> Result<Vec<i64>> {
    let now = Utc::now();
    let running: Vec<i64> = ingestion_run::Entity::find()
        .select_only()
        .column(ingestion_run::Column::Id)
        .filter(ingestion_run::Column::Status.eq(RunStatus::Running))
        .into_tuple()
        .all(db)
        .await?;
    let live: HashSet<String> = job_lease::Entity::find()
        .select_only()
        .column(job_lease::Column::Name)
        .filter(job_lease::Column::Name.starts_with(PREFIX))
        .filter(job_lease::Column::ExpiresAt.gte(now))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let dead: Vec<i64> = running
        .into_iter()
        .filter(|id| !live.contains(&lease_name(*id)))
        .collect();
    if !dead.is_empty() {
        ingestion_run::Entity::update_many()
            .col_expr(
                ingestion_run::Column::Status,
                Expr::value(RunStatus::Abandoned.as_str()),
            )
            .col_expr(ingestion_run::Column::FinishedAt, Expr::value(now))
            .filter(ingestion_run::Column::Id.is_in(dead.iter().copied()))
            .filter(ingestion_run::Column::Status.eq(RunStatus::Running))
            .exec(db)
            .await?;
        tracing::warn!(runs = ?dead, "ingestion runs left running by a process that is gone marked abandoned");
    }
    job_lease::Entity::delete_many()
        .filter(job_lease::Column::Name.starts_with(PREFIX))
        .filter(job_lease::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(dead)
}
