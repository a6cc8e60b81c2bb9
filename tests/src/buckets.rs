//! Provider buckets written straight to the database, for tests that need
//! a known row without running an ingestion.
use chrono::{NaiveDate, Utc};
use entity::enums::{Batch, ProviderKind};
use entity::usage_bucket::Model;
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, DatabaseConnection, IntoActiveModel};

/// One completions bucket of `day`: 1,000 input and 100 output tokens in
/// one request, no other dimension, unpriced. Change fields with struct
/// update syntax.
pub fn completion(day: NaiveDate, provider: ProviderKind) -> Model {
    let start = ledger::dates::midnight(day);
    Model {
        id: 0,
        connection_id: 1,
        provider,
        usage_type: "completions".into(),
        window_start: start,
        window_end: start + chrono::Duration::days(1),
        project_id: String::new(),
        api_key_id: String::new(),
        user_id: String::new(),
        model: String::new(),
        batch: Batch::NotReported,
        service_tier: String::new(),
        context_window: String::new(),
        inference_geo: String::new(),
        image_size: String::new(),
        image_source: String::new(),
        context_level: String::new(),
        vector_store_id: String::new(),
        input_tokens: 1000,
        input_cached_tokens: 0,
        input_cache_write_tokens: 0,
        input_cache_write_5m_tokens: 0,
        input_cache_write_1h_tokens: 0,
        input_uncached_tokens: 1000,
        input_text_tokens: 1000,
        input_cached_text_tokens: 0,
        input_audio_tokens: 0,
        input_cached_audio_tokens: 0,
        input_image_tokens: 0,
        input_cached_image_tokens: 0,
        output_tokens: 100,
        output_text_tokens: 100,
        output_audio_tokens: 0,
        output_image_tokens: 0,
        num_model_requests: 1,
        num_requests: 0,
        web_search_requests: 0,
        images: 0,
        characters: 0,
        seconds: 0,
        usage_bytes: 0,
        num_sessions: 0,
        cost_micros: None,
        cost_estimated: false,
        price_version_id: None,
        ingested_at: Utc::now(),
        run_id: None,
    }
}

/// Inserts `bucket` with a fresh id, and rebuilds its day's rollup as
/// every writer of buckets does.
pub async fn insert(db: &DatabaseConnection, bucket: Model) {
    let day = bucket.window_start;
    let mut row = bucket.into_active_model();
    row.id = NotSet;
    row.insert(db).await.expect("insert bucket");
    ledger::usage::rollup::rebuild(db, day, day + chrono::Duration::days(1))
        .await
        .expect("rebuild the day's rollup");
}
