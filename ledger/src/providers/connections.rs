//! Provider connections: the default ones that follow the environment's
//! admin keys, and named ones whose keys are sealed in the database.
//! Keys are never returned: callers see a fingerprint.
use chrono::{DateTime, NaiveDate, Utc};
use entity::inventory_item;
use entity::provider_connection::{self, ActiveModel, Column, Entity, Model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use secrecy::SecretString;
use serde::Serialize;

use crate::dates::next_day;
use crate::ingest::IssueCode;
use crate::providers::keys::{DEMO_KEY, MasterKey, fingerprint};
use crate::providers::{ProviderClients, ProviderKind};
use crate::{Error, Result};

/// Where a connection's key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// `OPENAI_ADMIN_KEY` / `ANTHROPIC_ADMIN_KEY`; not stored.
    Environment,
    /// Sealed in `provider_connection.key_ciphertext`.
    Stored,
    /// A demo connection to the built-in simulator.
    Demo,
}

/// A connection as shown to users: no key, only its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub id: i64,
    pub name: String,
    pub provider: ProviderKind,
    pub is_demo: bool,
    pub key_source: KeySource,
    pub key_fingerprint: String,
    pub base_url: Option<String>,
    pub complete_through: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// Hourly buckets are ingested too (local-time days).
    pub hourly_buckets: bool,
}

impl From<&Model> for Connection {
    fn from(model: &Model) -> Self {
        let key_source = if model.key_ciphertext.is_some() {
            KeySource::Stored
        } else if model.is_demo {
            KeySource::Demo
        } else {
            KeySource::Environment
        };
        Self {
            id: model.id,
            name: model.name.clone(),
            provider: model.provider,
            is_demo: model.is_demo,
            key_source,
            key_fingerprint: model.key_fingerprint.clone(),
            base_url: model.base_url.clone(),
            complete_through: model.complete_through,
            created_at: model.created_at,
            hourly_buckets: model.hourly_buckets,
        }
    }
}

/// Creates (or refreshes the fingerprint of) the default connections named
/// `openai` and `anthropic` for the admin keys given in the environment.
/// The keys themselves are not stored. Call on every start.
pub async fn ensure_env_connections(
    db: &impl ConnectionTrait,
    openai_key: Option<&SecretString>,
    anthropic_key: Option<&SecretString>,
) -> Result<Vec<Connection>> {
    let mut out = Vec::new();
    for (provider, key) in [
        (ProviderKind::OpenAi, openai_key),
        (ProviderKind::Anthropic, anthropic_key),
    ] {
        let Some(key) = key else { continue };
        let name = provider.as_str();
        let print = fingerprint(key);
        let model = match find(db, name).await? {
            // A stored key under the default name wins over the environment.
            Some(existing) if existing.key_ciphertext.is_some() || existing.is_demo => existing,
            Some(existing) if existing.key_fingerprint == print => existing,
            Some(existing) => {
                let mut row = ActiveModel::from(existing);
                row.key_fingerprint = Set(print);
                row.update(db).await?
            }
            None => {
                ActiveModel {
                    name: Set(name.to_owned()),
                    provider: Set(provider),
                    is_demo: Set(false),
                    key_ciphertext: Set(None),
                    key_fingerprint: Set(print),
                    base_url: Set(None),
                    complete_through: Set(None),
                    created_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(db)
                .await?
            }
        };
        out.push(Connection::from(&model));
    }
    Ok(out)
}

/// Adds a named connection; its key is sealed with `master_key`.
pub async fn add(
    db: &impl ConnectionTrait,
    master_key: &MasterKey,
    name: &str,
    provider: ProviderKind,
    key: SecretString,
    base_url: Option<&str>,
) -> Result<Connection> {
    validate_name(name)?;
    let base_url = base_url.map(validate_base_url).transpose()?;
    if secrecy::ExposeSecret::expose_secret(&key).trim().is_empty() {
        return Err(Error::InvalidInput("the admin key is empty".to_owned()));
    }
    if find(db, name).await?.is_some() {
        return Err(Error::Conflict(format!(
            "a connection named {name:?} already exists"
        )));
    }
    let model = ActiveModel {
        name: Set(name.to_owned()),
        provider: Set(provider),
        is_demo: Set(false),
        key_ciphertext: Set(Some(master_key.seal(&key, name)?)),
        key_fingerprint: Set(fingerprint(&key)),
        base_url: Set(base_url),
        complete_through: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Connection::from(&model))
}

/// Creates or re-points a demo connection at the simulator. Demo rows hold
/// no key: they present [`DEMO_KEY`].
pub async fn upsert_demo(
    db: &impl ConnectionTrait,
    name: &str,
    provider: ProviderKind,
    base_url: &str,
) -> Result<Model> {
    validate_name(name)?;
    let base_url = validate_base_url(base_url)?;
    match find(db, name).await? {
        Some(existing) if !existing.is_demo => Err(Error::Conflict(format!(
            "connection {name:?} exists and is not a demo connection"
        ))),
        Some(existing) => {
            let mut row = ActiveModel::from(existing);
            row.base_url = Set(Some(base_url));
            Ok(row.update(db).await?)
        }
        None => Ok(ActiveModel {
            name: Set(name.to_owned()),
            provider: Set(provider),
            is_demo: Set(true),
            key_ciphertext: Set(None),
            key_fingerprint: Set(fingerprint(&SecretString::from(DEMO_KEY))),
            base_url: Set(Some(base_url)),
            complete_through: Set(None),
            created_at: Set(Utc::now()),
            // The simulator serves hours, so the demo shows local-time days.
            hourly_buckets: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

/// Turns hourly ingestion of a connection on or off. Hours already stored
/// stay; the next run of each day fetches (or stops fetching) its hours.
pub async fn set_hourly(
    db: &impl ConnectionTrait,
    name: &str,
    enabled: bool,
) -> Result<Connection> {
    let mut row = ActiveModel::from(get(db, name).await?);
    row.hourly_buckets = Set(enabled);
    Ok(Connection::from(&row.update(db).await?))
}

/// Removes a connection and its inventory (names it alone knew). Its
/// ingested usage and billed costs stay: they are history.
pub async fn remove(db: &DatabaseConnection, name: &str) -> Result<()> {
    let txn = db.begin().await?;
    let model = get(&txn, name).await?;
    inventory_item::Entity::delete_many()
        .filter(inventory_item::Column::ConnectionId.eq(model.id))
        .exec(&txn)
        .await?;
    Entity::delete_by_id(model.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Connection>> {
    Ok(Entity::find()
        .order_by_asc(Column::Name)
        .all(db)
        .await?
        .iter()
        .map(Connection::from)
        .collect())
}

pub async fn find(db: &impl ConnectionTrait, name: &str) -> Result<Option<Model>> {
    Ok(Entity::find().filter(Column::Name.eq(name)).one(db).await?)
}

pub async fn get(db: &impl ConnectionTrait, name: &str) -> Result<Model> {
    find(db, name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("connection {name:?}")))
}

/// The connection a command means: `name` if given; otherwise the default
/// connection named after the provider, or the only one of that provider.
pub async fn pick(
    db: &impl ConnectionTrait,
    provider: ProviderKind,
    name: Option<&str>,
) -> Result<Model> {
    if let Some(name) = name {
        let model = get(db, name).await?;
        if model.provider != provider {
            return Err(Error::InvalidInput(format!(
                "connection {name:?} is a {} connection, not {provider}",
                model.provider
            )));
        }
        return Ok(model);
    }
    if let Some(model) = find(db, provider.as_str()).await? {
        return Ok(model);
    }
    let all = Entity::find()
        .filter(Column::Provider.eq(provider.as_str()))
        .all(db)
        .await?;
    // A real connection wins over a demo one; a demo alone is still the
    // provider's only connection.
    let (mut real, mut demo): (Vec<Model>, Vec<Model>) = all.into_iter().partition(|m| !m.is_demo);
    let mut all = if real.is_empty() && demo.len() == 1 {
        std::mem::take(&mut demo)
    } else {
        std::mem::take(&mut real)
    };
    match all.len() {
        1 => Ok(all.remove(0)),
        0 => Err(Error::InvalidInput(format!(
            "no {provider} connection: set {} or add a connection",
            crate::providers::keys::env_var(provider)
        ))),
        _ => Err(Error::InvalidInput(format!(
            "several {provider} connections exist ({}); name one",
            all.iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Outcome of a connection check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub ok: bool,
    /// `None` when ok.
    pub code: Option<IssueCode>,
    pub message: String,
    pub latency_ms: u64,
}

/// Calls the provider once, without retries (yesterday's completions or
/// messages usage), to prove the key and URL work. Provider failures are a
/// result, not an error.
pub async fn test(
    db: &impl ConnectionTrait,
    clients: &ProviderClients,
    name: &str,
) -> Result<CheckResult> {
    let model = get(db, name).await?;
    let once = crate::providers::RetryPolicy {
        max_retries: 0,
        ..clients.config().retry
    };
    let client = clients.for_connection_with(&model, once)?;
    let usage_type = crate::providers::usage_types(client.kind())[0];
    let today = Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap_or(today);
    let stats = crate::providers::FetchStats::default();
    let started = std::time::Instant::now();
    let result = client
        .usage(usage_type, yesterday, yesterday, super::Width::Day, &stats)
        .await;
    let latency_ms = started.elapsed().as_millis() as u64;
    Ok(match result {
        Ok(buckets) => CheckResult {
            ok: true,
            code: None,
            message: format!("ok: {} bucket(s) for {yesterday}", buckets.len()),
            latency_ms,
        },
        Err(error) => CheckResult {
            ok: false,
            code: Some(error.code()),
            message: error.to_string(),
            latency_ms,
        },
    })
}

/// Records that every day up to `day` is fully ingested, without moving
/// the mark backwards or across a gap.
pub(crate) async fn advance_complete_through(
    db: &impl ConnectionTrait,
    connection_id: i64,
    range_start: NaiveDate,
    day: NaiveDate,
) -> Result<Option<NaiveDate>> {
    let Some(model) = provider_connection::Entity::find_by_id(connection_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let current = model.complete_through;
    let contiguous = match current {
        None => true,
        Some(mark) => next_day(mark) >= range_start,
    };
    if !contiguous || current.is_some_and(|mark| mark >= day) {
        return Ok(current);
    }
    let mut row = ActiveModel::from(model);
    row.complete_through = Set(Some(day));
    row.update(db).await?;
    Ok(Some(day))
}

fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "connection name {name:?}: use 1-64 letters, digits, '-', '_' or '.'"
        )))
    }
}

/// An http(s) URL without credentials, query or fragment, normalised
/// without a trailing slash.
pub fn validate_base_url(raw: &str) -> Result<String> {
    let bad = |why: &str| Error::InvalidInput(format!("base URL {raw:?}: {why}"));
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must be http or https"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not contain credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not contain a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert!(validate_name("prod-openai.eu_1").is_ok());
        assert!(validate_name("").is_err());
        assert!(validate_name("a b").is_err());
        assert_eq!(
            validate_base_url("http://127.0.0.1:9000/v1/").expect("ok"),
            "http://127.0.0.1:9000/v1"
        );
        assert!(validate_base_url("ftp://x").is_err());
        assert!(validate_base_url("https://user:pw@x").is_err());
        assert!(validate_base_url("not a url").is_err());
    }
}
