//! Running it: logs (`logs`), Prometheus metrics (`metrics`), readiness
//! (`ready`) and a clean, bounded stop (`shutdown`).
pub mod logs;
pub mod metrics;
pub mod ready;
pub mod shutdown;
