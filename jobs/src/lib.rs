//! The scheduled workers: when and how often ledger work runs, and nothing
//! else. Every job is one module with one entry point, `run(&JobContext)`,
//! returning a typed report. The [`registry`] runs any job by name for the
//! cron schedule ([`schedule`]), `POST /api/cron/{job}` and the CLI, under
//! the job's lease ([`lease`]), so a job runs once across replicas and never
//! overlaps itself.

pub mod archive;
pub mod budgets;
mod context;
pub mod ingest;
pub mod inventory;
pub mod lease;
pub mod parity;
pub mod pricing;
pub mod reconcile;
mod registry;
pub mod schedule;

pub use context::{JobContext, JobSettings};
pub use registry::{JobError, JobName, JobOutcome, JobReport, Jobs};
