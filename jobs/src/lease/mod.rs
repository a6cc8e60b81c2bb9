//! A lease row in `job_lease` so a scheduled job runs on one replica at a
//! time. Portable across SQLite and PostgreSQL: taking a lease is one
//! conditional UPDATE (steal an expired lease or renew our own) or one
//! INSERT … ON CONFLICT DO NOTHING; the row's primary key arbitrates.
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::job_lease::{ActiveModel, Column, Entity};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult,
};

use crate::{Error, Result};

/// A held lease. Release it when done; if the holder dies, it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    pub expires_at: DateTime<Utc>,
}

/// A holder id unique to this process (host name is not portable; a
/// random id per process is enough to tell replicas apart).
pub fn process_holder() -> String {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER
        .get_or_init(|| {
            format!(
                "pid{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            )
        })
        .clone()
}

/// Takes the lease `name` for `ttl` unless another holder has an unexpired
/// one. Re-acquiring a lease we hold renews it.
pub async fn try_acquire(
    db: &impl ConnectionTrait,
    name: &str,
    holder: &str,
    ttl: Duration,
) -> Result<Option<Lease>> {
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(ttl)
        .map_err(|_| Error::InvalidInput("lease ttl is too long".to_owned()))?;
    let expires_at = now + ttl;
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
pub async fn release(db: &impl ConnectionTrait, lease: &Lease) -> Result<()> {
    Entity::delete_many()
        .filter(Column::Name.eq(lease.name.as_str()))
        .filter(Column::Holder.eq(lease.holder.as_str()))
        .exec(db)
        .await?;
    Ok(())
}

/// Runs `job` only if the lease can be taken; `Ok(None)` when another
/// replica holds it. The lease is released afterwards, also on error.
pub async fn with_lease<C, F, T>(db: &C, name: &str, ttl: Duration, job: F) -> Result<Option<T>>
where
    C: ConnectionTrait,
    F: std::future::Future<Output = Result<T>>,
{
    let Some(lease) = try_acquire(db, name, &process_holder(), ttl).await? else {
        return Ok(None);
    };
    let outcome = job.await;
    release(db, &lease).await?;
    outcome.map(Some)
}
