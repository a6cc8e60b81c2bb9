//! Dry runs: what `replace_day` would do, computed from reads only.
use std::collections::HashMap;

use entity::usage_bucket::{self, Column, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::Result;
use crate::dates::midnight;
use crate::pricing::PriceBook;
use crate::usage::buckets::{
    BucketRow, Counts, DaySet, Dimensions, ReplaceOutcome, TOKEN_PRICED_TYPES,
};

pub(crate) async fn compare(
    db: &impl ConnectionTrait,
    set: DaySet<'_>,
    rows: Vec<BucketRow>,
    book: &PriceBook,
) -> Result<ReplaceOutcome> {
    let mut existing: HashMap<Dimensions, Counts> = usage_bucket::Entity::find()
        .filter(Column::ConnectionId.eq(set.connection_id))
        .filter(Column::UsageType.eq(set.usage_type))
        .filter(Column::WindowStart.eq(midnight(set.day)))
        .all(db)
        .await?
        .iter()
        .map(|m| (dimensions_of(m), counts_of(m)))
        .collect();
    let mut merged: HashMap<Dimensions, Counts> = HashMap::new();
    for row in rows {
        merged.entry(row.dims).or_default().add(&row.counts);
    }
    let mut outcome = ReplaceOutcome::default();
    for (dims, counts) in merged {
        match existing.remove(&dims) {
            Some(old) if old == counts => outcome.unchanged += 1,
            Some(_) => outcome.updated += 1,
            None => outcome.inserted += 1,
        }
        if TOKEN_PRICED_TYPES.contains(&set.usage_type)
            && !dims.model.is_empty()
            && !book.knows(set.provider.as_str(), &dims.model, set.day)
            && !outcome.unpriced_models.contains(&dims.model)
        {
            outcome.unpriced_models.push(dims.model.clone());
        }
    }
    outcome.deleted = existing.len() as u64;
    Ok(outcome)
}

fn dimensions_of(m: &Model) -> Dimensions {
    Dimensions {
        project_id: m.project_id.clone(),
        api_key_id: m.api_key_id.clone(),
        user_id: m.user_id.clone(),
        model: m.model.clone(),
        batch: m.batch,
        service_tier: m.service_tier.clone(),
        context_window: m.context_window.clone(),
        inference_geo: m.inference_geo.clone(),
        image_size: m.image_size.clone(),
        image_source: m.image_source.clone(),
        context_level: m.context_level.clone(),
        vector_store_id: m.vector_store_id.clone(),
    }
}

fn counts_of(m: &Model) -> Counts {
    Counts {
        input_tokens: m.input_tokens,
        input_cached_tokens: m.input_cached_tokens,
        input_cache_write_tokens: m.input_cache_write_tokens,
        input_cache_write_5m_tokens: m.input_cache_write_5m_tokens,
        input_cache_write_1h_tokens: m.input_cache_write_1h_tokens,
        input_uncached_tokens: m.input_uncached_tokens,
        input_text_tokens: m.input_text_tokens,
        input_cached_text_tokens: m.input_cached_text_tokens,
        input_audio_tokens: m.input_audio_tokens,
        input_cached_audio_tokens: m.input_cached_audio_tokens,
        input_image_tokens: m.input_image_tokens,
        input_cached_image_tokens: m.input_cached_image_tokens,
        output_tokens: m.output_tokens,
        output_text_tokens: m.output_text_tokens,
        output_audio_tokens: m.output_audio_tokens,
        output_image_tokens: m.output_image_tokens,
        num_model_requests: m.num_model_requests,
        num_requests: m.num_requests,
        web_search_requests: m.web_search_requests,
        images: m.images,
        characters: m.characters,
        seconds: m.seconds,
        usage_bytes: m.usage_bytes,
        num_sessions: m.num_sessions,
    }
}
