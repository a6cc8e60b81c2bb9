//! Tracking (ingest) keys: `ct_` + 32 random bytes, shown once, stored as
//! SHA-256, revocable.
use chrono::Utc;
use entity::ingest_key;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::{Error, Result};

pub const PREFIX: &str = "ct_";

/// A freshly created key; `secret` is the only copy and is never stored.
#[derive(Debug, Clone)]
pub struct CreatedKey {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

pub async fn create(db: &impl ConnectionTrait, name: &str) -> Result<CreatedKey> {
    let name = crate::text::name("the key name", name)?;
    let name = name.as_str();
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{PREFIX}{}", hex::encode(bytes));
    let row = ingest_key::ActiveModel {
        name: Set(name.to_owned()),
        key_hash: Set(hash(&secret)),
        prefix: Set(secret[..PREFIX.len() + 6].to_owned()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(CreatedKey {
        id: row.id,
        name: row.name,
        secret,
    })
}

/// The id of the live key matching `secret`, if any.
pub async fn verify(db: &impl ConnectionTrait, secret: &str) -> Result<Option<i64>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found = ingest_key::Entity::find()
        .filter(ingest_key::Column::KeyHash.eq(hash(secret)))
        .filter(ingest_key::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    Ok(found.map(|key| key.id))
}

pub async fn revoke(db: &impl ConnectionTrait, id: i64) -> Result<ingest_key::Model> {
    let key = ingest_key::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(format!("ingest key {id}")))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active: ingest_key::ActiveModel = key.into();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(db).await?)
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ingest_key::Model>> {
    Ok(ingest_key::Entity::find()
        .order_by_asc(ingest_key::Column::Id)
        .all(db)
        .await?)
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
