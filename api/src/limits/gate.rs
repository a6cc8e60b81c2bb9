//! Expensive operations run a few at a time.
//!
//! Validation measures each operation's complexity (see [`super::cost`]);
//! from `expensive_complexity` on, an operation takes one of
//! `expensive_concurrency` permits before it executes, waiting at most
//! `queue_wait` (then `BUSY`, HTTP 503). Cheap operations never wait, so
//! one slow class of queries cannot hold every database connection while
//! the dashboard's small queries queue behind it.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::{Response, ServerError, ValidationResult};

use super::{Limits, Refusal};

/// The schema extension (one instance per request).
pub struct Gate(pub Arc<Limits>);

impl ExtensionFactory for Gate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GateRun {
            limits: self.0.clone(),
            complexity: AtomicUsize::new(0),
        })
    }
}

struct GateRun {
    limits: Arc<Limits>,
    /// What validation measured.
    complexity: AtomicUsize,
}

#[async_graphql::async_trait::async_trait]
impl Extension for GateRun {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.complexity.store(result.complexity, Ordering::Relaxed);
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let settings = &self.limits.settings;
        if self.complexity.load(Ordering::Relaxed) < settings.expensive_complexity {
            return next.run(ctx, operation_name).await;
        }
        let permits = self.limits.expensive_permits().clone();
        match tokio::time::timeout(settings.queue_wait, permits.acquire_owned()).await {
            Ok(Ok(_permit)) => next.run(ctx, operation_name).await,
            _ => Response::from_errors(vec![Refusal::Busy(settings.queue_wait).server_error()]),
        }
    }
}
