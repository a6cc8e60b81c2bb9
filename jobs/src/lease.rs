//! The one lease: a row in `job_lease` so a job runs on one replica at a
//! time. Portable across SQLite and PostgreSQL: taking a lease is one
//! conditional UPDATE (steal an expired lease or renew our own) or one
//! INSERT … ON CONFLICT DO NOTHING; the row's primary key arbitrates.
//!
//! A held lease is renewed every [`RENEW_EVERY`] while its work runs, so a
//! short [`TTL`] suffices for jobs of any length: a replica that dies
//! blocks the next run for at most the TTL.
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::job_lease::{ActiveModel, Column, Entity};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    Set, TryInsertResult,
};

/// How long a lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(120);
/// How often a running job renews its lease: well inside the TTL, so a
/// slow database round trip does not lose it.
pub const RENEW_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("another holder took the lease {0:?} while the job ran; stopped")]
    Lost(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A held lease. Release it when done; if the holder dies, it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub expires_at: DateTime<Utc>,
}

/// A holder id unique to this process (shared with the leases of running
/// ingestion runs, so a stop can release everything this process holds).
pub fn process_holder() -> String {
    ledger::db::process_id()
}

/// How long a claimed schedule tick stays claimed: far longer than the
/// few seconds by which two replicas' schedulers fire apart.
pub const TICK_TTL: Duration = Duration::from_secs(10 * 60);

/// Claims one scheduled tick of `job` (its due time, whole seconds) for
/// this replica: true for the first replica to ask, false for the others,
/// so a tick runs once across replicas even though each runs it after the
/// other's run has released the job's lease. Claims are never released;
/// expired ones are swept here.
pub async fn claim_tick(
    db: &impl ConnectionTrait,
    job: &str,
    tick_secs: i64,
) -> Result<bool, DbErr> {
    Entity::delete_many()
        .filter(Column::Name.starts_with("tick:"))
        .filter(Column::ExpiresAt.lt(Utc::now()))
        .exec(db)
        .await?;
    let name = format!("tick:{job}:{tick_secs}");
    Ok(try_acquire(db, &name, &process_holder(), TICK_TTL)
        .await?
        .is_some())
}

/// Gives back every lease `holder` holds (jobs and running ingestion
/// runs): the last step of a clean stop. Returns how many it released.
pub async fn release_all(db: &impl ConnectionTrait, holder: &str) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::Holder.eq(holder))
        .exec(db)
        .await?
        .rows_affected)
}

/// Takes the lease `name` for `ttl` unless another holder has an unexpired
/// one. Re-acquiring a lease we hold renews it.
pub async fn try_acquire(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<Option<Lease>, DbErr> {
    let now = Utc::now();
    let expires_at = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let updated = Entity::update_many()
        .col_expr(Column::Holder, Expr::value(holder))
        .col_expr(Column::ExpiresAt, Expr::value(expires_at))
        .filter(Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(Column::ExpiresAt.lt(now))
                .add(Column::Holder.eq(holder)),
        )
        .exec(db)
        .await?;
    let lease = Lease {
        name: name.to_owned(),
        holder: holder.to_owned(),
        expires_at,
    };
    if updated.rows_affected == 1 {
        return Ok(Some(lease));
    }
    let inserted = Entity::insert(ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder.to_owned()),
        expires_at: Set(expires_at),
    })
    .on_conflict(OnConflict::column(Column::Name).do_nothing().to_owned())
    .try_insert()
    .exec_without_returning(db)
    .await?;
    Ok(match inserted {
        TryInsertResult::Inserted(1) => Some(lease),
        _ => None,
    })
}

/// Gives the lease back early (only if we still hold it).
pub async fn release(db: &impl ConnectionTrait, lease: &Lease) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::Name.eq(lease.name.as_str()))
        .filter(Column::Holder.eq(lease.holder.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs `work` only if the lease `name` can be taken: `Ok(None)` when
/// another replica holds it. The lease is renewed while `work` runs and
/// released afterwards, also when `work` fails. If another holder takes it
/// meanwhile (we were too slow to renew), `work` is dropped, which rolls
/// back its open transaction, and the run ends with [`LeaseError::Lost`].
pub async fn with_lease<F, T>(
    db: &DatabaseConnection,
    name: &str,
    work: F,
) -> Result<Option<T>, LeaseError>
where
    F: Future<Output = T>,
{
    let holder = process_holder();
    let Some(lease) = try_acquire(db, name, &holder, TTL).await? else {
        return Ok(None);
    };
    let outcome = tokio::select! {
        done = work => Ok(done),
        lost = keep_renewed(db, name, &holder) => Err(lost),
    };
    release(db, &lease).await?;
    outcome.map(Some)
}

/// Renews the lease until another holder has it; a failed renewal (the
/// database busy for a moment) is retried on the next beat.
async fn keep_renewed(db: &DatabaseConnection, name: &str, holder: &str) -> LeaseError {
    let mut beat = tokio::time::interval(RENEW_EVERY);
    beat.tick().await;
    loop {
        beat.tick().await;
        match try_acquire(db, name, holder, TTL).await {
            Ok(Some(_)) => {}
            Ok(None) => return LeaseError::Lost(name.to_owned()),
            Err(error) => tracing::warn!(lease = name, %error, "could not renew the lease"),
        }
    }
}
