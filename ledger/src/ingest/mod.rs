//! The ingestion engine: pulls daily usage buckets from one provider
//! connection for a range of UTC days and replaces the stored day sets.
//!
//! The provider's day is authoritative: each (connection, usage type, day)
//! set is replaced as a whole by [`crate::usage::buckets::replace_day`], so runs
//! are idempotent and restatements win. Fetching happens outside any
//! transaction; one transaction covers one window (up to `chunk_days` days)
//! of one usage type. A day that still fails after retries becomes an
//! [`Issue`] and the run goes on.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::provider_connection;
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use serde::{Deserialize, Serialize};

mod diff;
pub mod liveness;
mod report;
pub mod runs;

pub use report::{Issue, IssueCode, RunReport, RunStatus};

use crate::costs::billed::DayLines;
use crate::dates::{DayRange, midnight, next_day};
use crate::pricing::PriceBook;
use crate::providers::{
    CostBucket, DayBucket, FetchStats, ProviderClient, ProviderClients, ProviderError,
    ProviderKind, Width,
};
use crate::usage::buckets::{BucketRow, DaySet, ReplaceOutcome, replace_day};
use crate::usage::hours::{Hour, replace_hours};
use crate::{Error, Result};

/// The default and the largest window one fetch + transaction covers.
/// 31 is the providers' page size for daily buckets.
pub const DEFAULT_CHUNK_DAYS: u32 = 7;
pub const MAX_CHUNK_DAYS: u32 = 31;
/// How the costs step is named in issues and progress, beside usage types.
const COSTS: &str = "costs";
/// The longest backfill one run takes: about a year and a month, which is
/// as far back as the providers keep daily buckets.
pub const MAX_RANGE_DAYS: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionRef {
    pub id: i64,
    pub name: String,
}

impl From<&provider_connection::Model> for ConnectionRef {
    fn from(model: &provider_connection::Model) -> Self {
        Self {
            id: model.id,
            name: model.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub provider: ProviderKind,
    pub connection: ConnectionRef,
    /// Both ends included. Days after today (UTC) are skipped.
    pub range: DayRange,
    /// 1..=31 days per fetch + transaction.
    pub chunk_days: u32,
    /// Free text shown with the run: `cli`, `schedule`, `admin`, `demo`, ….
    pub label: String,
    /// Fetch and compare with stored rows; write no buckets. The run row is
    /// still recorded (with `dry_run = true`) so dry runs are auditable.
    pub dry_run: bool,
    /// Restrict to some steps; `None` means every usage type of the
    /// provider and its billed costs.
    pub steps: Option<Vec<Step>>,
}

/// What a run fetches for each window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The buckets of one usage type of the provider.
    Usage(&'static str),
    /// The provider's billed costs.
    Costs,
}

impl Step {
    /// The name used in issues and progress: the usage type, or `costs`.
    pub fn name(self) -> &'static str {
        match self {
            Step::Usage(usage_type) => usage_type,
            Step::Costs => COSTS,
        }
    }

    /// Every step of `provider`: its usage types, then its costs.
    pub fn all(provider: ProviderKind) -> Vec<Step> {
        let mut steps: Vec<Step> = crate::providers::usage_types(provider)
            .into_iter()
            .map(Step::Usage)
            .collect();
        steps.push(Step::Costs);
        steps
    }

    /// A step of `provider` by name (a usage type, or `costs`).
    pub fn parse(provider: ProviderKind, name: &str) -> Result<Step> {
        let all = Step::all(provider);
        all.iter()
            .copied()
            .find(|s| s.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = all.iter().map(|s| s.name()).collect();
                Error::InvalidInput(format!(
                    "unknown {provider} usage type {name:?}: expected one of {}",
                    known.join(", ")
                ))
            })
    }
}

impl IngestRequest {
    /// A request for every usage type with the default chunk size.
    pub fn new(connection: &provider_connection::Model, range: DayRange) -> Result<Self> {
        Ok(Self {
            provider: connection.provider,
            connection: ConnectionRef::from(connection),
            range,
            chunk_days: DEFAULT_CHUNK_DAYS,
            label: "manual".to_owned(),
            dry_run: false,
            steps: None,
        })
    }

    /// The steps this run takes, each one of the provider's.
    fn steps(&self) -> Result<Vec<Step>> {
        match &self.steps {
            None => Ok(Step::all(self.provider)),
            Some(steps) => {
                for step in steps {
                    Step::parse(self.provider, step.name())?;
                }
                Ok(steps.clone())
            }
        }
    }
}

/// Receives progress after each window (e.g. a CLI progress bar).
pub trait Progress: Send + Sync {
    fn window_done(&self, done: u64, total: u64, usage_type: &str, from: NaiveDate, to: NaiveDate);
}

/// Runs one ingestion and records it in `ingestion_run`. Provider trouble
/// ends up in the report's issues; `Err` means the request was invalid or
/// our own database failed.
pub async fn run(
    db: &DatabaseConnection,
    book: &PriceBook,
    clients: &ProviderClients,
    req: IngestRequest,
    progress: Option<&dyn Progress>,
) -> Result<RunReport> {
    check_bounds(&req)?;
    let steps = req.steps()?;
    let connection = find_connection(db, &req).await?;
    let client = clients.for_connection(&connection)?;

    let started = Instant::now();
    let mut report = starting_report(&req, &connection);
    report.run_id = report::insert_running(db, &report).await?;
    let run_id = report.run_id;
    liveness::renew(db, run_id).await?;

    let mut engine = Engine {
        db,
        book,
        client: &client,
        req: &req,
        run_id: report.run_id,
        stats: FetchStats::default(),
        today: Utc::now().date_naive(),
        bad_days: BTreeSet::new(),
        fatal: false,
        report,
        writing: None,
        hourly: connection.hourly_buckets,
    };
    let result = tokio::select! {
        result = engine.ingest(&steps, progress) => result,
        never = liveness::keep_alive(db, run_id) => match never {},
    };
    let Engine {
        mut report,
        stats,
        bad_days,
        fatal,
        today,
        writing,
        ..
    } = engine;
    copy_fetch_stats(&mut report, &stats);
    conclude(
        &mut report,
        &result,
        fatal,
        writing.unwrap_or(req.range.from),
    );

    if result.is_ok() && !req.dry_run {
        advance_mark(db, &req, connection.id, today, &bad_days, &mut report).await?;
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    // The failure that ended the run may have been a lost connection; the
    // pool checks the next one it hands out, so one more try records how
    // the run ended instead of leaving it `running` until its lease expires.
    if let Err(error) = report::store_final(db, &report).await {
        tracing::warn!(run_id, %error, "storing the run's outcome failed; trying once more");
        report::store_final(db, &report).await?;
    }
    liveness::release(db, run_id).await?;
    report::record_metrics(&report);
    result?;
    log_finished(&report);
    Ok(report)
}

fn log_finished(report: &RunReport) {
    tracing::info!(
        run_id = report.run_id,
        provider = %report.provider,
        connection = %report.connection,
        status = report.status.as_str(),
        windows = report.windows,
        inserted = report.rows_inserted,
        updated = report.rows_updated,
        deleted = report.rows_deleted,
        issues = report.issues.len(),
        "ingestion run finished"
    );
}

/// Refuses a range or chunk size outside the limits before anything runs.
fn check_bounds(req: &IngestRequest) -> Result<()> {
    if req.range.len() > MAX_RANGE_DAYS {
        return Err(Error::InvalidInput(format!(
            "a backfill covers at most {MAX_RANGE_DAYS} days, not {}; split the range",
            req.range.len()
        )));
    }
    if !(1..=MAX_CHUNK_DAYS).contains(&req.chunk_days) {
        return Err(Error::InvalidInput(format!(
            "chunk days must be between 1 and {MAX_CHUNK_DAYS}, not {}",
            req.chunk_days
        )));
    }
    Ok(())
}

/// The stored connection of the request; it must be of the requested provider.
async fn find_connection(
    db: &DatabaseConnection,
    req: &IngestRequest,
) -> Result<provider_connection::Model> {
    let connection = provider_connection::Entity::find_by_id(req.connection.id)
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(format!("connection {:?}", req.connection.name)))?;
    if connection.provider != req.provider {
        return Err(Error::InvalidInput(format!(
            "connection {:?} is a {} connection, not {}",
            connection.name, connection.provider, req.provider
        )));
    }
    Ok(connection)
}

/// The report of a run that has not fetched anything yet.
fn starting_report(req: &IngestRequest, connection: &provider_connection::Model) -> RunReport {
    RunReport {
        run_id: 0,
        label: req.label.clone(),
        provider: req.provider,
        connection_id: connection.id,
        connection: connection.name.clone(),
        from: req.range.from,
        to: req.range.to,
        dry_run: req.dry_run,
        status: RunStatus::Running,
        windows: 0,
        requests: 0,
        pages: 0,
        rows_inserted: 0,
        rows_updated: 0,
        rows_deleted: 0,
        rows_unchanged: 0,
        billed_lines: 0,
        retries: 0,
        rate_limited: 0,
        retry_wait_ms: 0,
        issues: Vec::new(),
        issue_counts: BTreeMap::new(),
        unpriced_models: BTreeSet::new(),
        complete_through: connection.complete_through,
        started_at: Utc::now(),
        duration_ms: 0,
    }
}

fn copy_fetch_stats(report: &mut RunReport, stats: &FetchStats) {
    report.requests = FetchStats::get(&stats.requests);
    report.pages = FetchStats::get(&stats.pages);
    report.retries = FetchStats::get(&stats.retries);
    report.rate_limited = FetchStats::get(&stats.rate_limited);
    report.retry_wait_ms = FetchStats::get(&stats.retry_wait_ms);
}

/// Settles the run's status from its outcome and issues (an error is
/// reported against `day`, the one being written), then adds the
/// unpriced-model issues, which do not count against the status.
fn conclude(report: &mut RunReport, result: &Result<()>, fatal: bool, day: NaiveDate) {
    let from = report.from;
    if let Err(error) = result {
        report.issues.push(Issue {
            code: IssueCode::Internal,
            day,
            usage_type: None,
            message: error.to_string(),
        });
    }
    report.status = if result.is_err() || (report.windows == 0 && !report.issues.is_empty()) {
        RunStatus::Failed
    } else if report.issues.is_empty() && !fatal {
        RunStatus::Succeeded
    } else {
        RunStatus::Partial
    };
    // Loud but not a failure: the usage is stored, only its cost is unknown.
    for model in &report.unpriced_models {
        report.issues.push(Issue {
            code: IssueCode::UnpricedModel,
            day: from,
            usage_type: None,
            message: format!("model {model:?} has no price; its cost is null until it gets one"),
        });
    }
    report.count_issues();
}

/// Moves the connection's `complete_through` mark to the last day of the
/// clean prefix of the range, never today.
async fn advance_mark(
    db: &DatabaseConnection,
    req: &IngestRequest,
    connection_id: i64,
    today: NaiveDate,
    bad_days: &BTreeSet<NaiveDate>,
    report: &mut RunReport,
) -> Result<()> {
    let last_complete = req
        .range
        .days()
        .take_while(|day| *day < today && !bad_days.contains(day))
        .last();
    if let Some(day) = last_complete {
        report.complete_through = crate::providers::connections::advance_complete_through(
            db,
            connection_id,
            req.range.from,
            day,
        )
        .await?;
    }
    Ok(())
}

struct Engine<'a> {
    db: &'a DatabaseConnection,
    book: &'a PriceBook,
    client: &'a ProviderClient,
    req: &'a IngestRequest,
    run_id: i64,
    stats: FetchStats,
    today: NaiveDate,
    bad_days: BTreeSet<NaiveDate>,
    fatal: bool,
    report: RunReport,
    /// The day being written, so a database failure names it.
    writing: Option<NaiveDate>,
    /// The connection ingests hourly buckets too.
    hourly: bool,
}

impl Engine<'_> {
    async fn ingest(&mut self, steps: &[Step], progress: Option<&dyn Progress>) -> Result<()> {
        let last = self.req.range.to.min(self.today);
        if self.req.range.from > last {
            return Ok(());
        }
        let windows = chunks(self.req.range.from, last, self.req.chunk_days);
        let total = (windows.len() * steps.len()) as u64;
        let mut done = 0;
        for (from, to) in windows {
            for &step in steps {
                if self.fatal {
                    self.mark_bad(from, to);
                    continue;
                }
                match step {
                    Step::Costs => self.costs(from, to).await?,
                    Step::Usage(usage_type) => self.window(usage_type, from, to).await?,
                }
                done += 1;
                if let Some(progress) = progress {
                    progress.window_done(done, total, step.name(), from, to);
                }
            }
        }
        Ok(())
    }

    /// Fetches the provider's billed costs for `from..=to` and replaces each
    /// reported day in one transaction.
    async fn costs(&mut self, from: NaiveDate, to: NaiveDate) -> Result<()> {
        let buckets = match self.client.costs(from, to, &self.stats).await {
            Ok(buckets) => buckets,
            Err(error) => {
                self.fetch_failed(COSTS, from, to, &error);
                return Ok(());
            }
        };
        let days = self.sound_cost_days(from, to, buckets);
        let lines: usize = days.iter().map(|(_, lines)| lines.len()).sum();
        self.report.billed_lines += lines as u64;
        if self.req.dry_run || days.is_empty() {
            return Ok(());
        }
        self.writing = Some(from);
        let txn = self.db.begin().await?;
        for (day, lines) in days {
            self.writing = Some(day);
            crate::costs::billed::replace_day(
                &txn,
                self.req.connection.id,
                self.req.provider,
                day,
                lines,
                Some(self.run_id),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The cost days of `from..=to` fit to store, each summed; a day that
    /// is partial, returned twice or unstorable becomes an issue instead.
    fn sound_cost_days(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
        buckets: Vec<CostBucket>,
    ) -> Vec<(NaiveDate, DayLines)> {
        let mut days = BTreeMap::new();
        let mut rejected = BTreeSet::new();
        for bucket in buckets {
            let day = match self.bucket_day(COSTS, bucket.start, bucket.end, from, to) {
                Ok(Some(day)) => day,
                Ok(None) => continue,
                Err(day) => {
                    rejected.insert(day);
                    continue;
                }
            };
            match crate::costs::billed::aggregate(bucket.lines) {
                Ok(lines) => {
                    if days.insert(day, lines).is_some() {
                        self.issue(
                            IssueCode::DuplicateBucket,
                            day,
                            COSTS,
                            "the provider returned this day twice".to_owned(),
                        );
                        rejected.insert(day);
                    }
                }
                Err(error) => {
                    self.issue(IssueCode::BadResponse, day, COSTS, error.to_string());
                    rejected.insert(day);
                }
            }
        }
        days.into_iter()
            .filter(|(day, _)| !rejected.contains(day))
            .collect()
    }

    /// One fetch of `from..=to`. When it fails for a multi-day window, the
    /// days are fetched one by one so a single bad day does not sink its
    /// neighbours.
    async fn window(&mut self, usage_type: &str, from: NaiveDate, to: NaiveDate) -> Result<()> {
        match self
            .client
            .usage(usage_type, from, to, Width::Day, &self.stats)
            .await
        {
            Ok(buckets) => self.apply_with_hours(usage_type, from, to, buckets).await,
            Err(error) if error.is_fatal() || from == to => {
                self.fetch_failed(usage_type, from, to, &error);
                Ok(())
            }
            Err(_) => {
                for day in from.iter_days().take_while(|d| *d <= to) {
                    if self.fatal {
                        self.mark_bad(day, to);
                        break;
                    }
                    match self
                        .client
                        .usage(usage_type, day, day, Width::Day, &self.stats)
                        .await
                    {
                        Ok(buckets) => self.apply_with_hours(usage_type, day, day, buckets).await?,
                        Err(error) => self.fetch_failed(usage_type, day, day, &error),
                    }
                }
                Ok(())
            }
        }
    }

    /// [`apply`](Self::apply), then the same days' hours when the
    /// connection ingests them (never on a dry run).
    async fn apply_with_hours(
        &mut self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        buckets: Vec<DayBucket>,
    ) -> Result<()> {
        self.apply(usage_type, from, to, buckets).await?;
        if self.hourly && !self.req.dry_run {
            self.hours(usage_type, from, to).await?;
        }
        Ok(())
    }

    /// Fetches the hourly buckets of `from..=to` and stores each day's
    /// hours when they sum to its daily buckets (stored just before); a
    /// day whose hours disagree, are partial or are missing becomes an
    /// issue and keeps the hours it had.
    async fn hours(&mut self, usage_type: &str, from: NaiveDate, to: NaiveDate) -> Result<()> {
        let buckets = match self
            .client
            .usage(usage_type, from, to, Width::Hour, &self.stats)
            .await
        {
            Ok(buckets) => buckets,
            Err(error) => {
                self.fetch_failed(usage_type, from, to, &error);
                return Ok(());
            }
        };
        let by_day = self.sound_hours(usage_type, from, to, buckets);
        let provider = self.req.provider;
        self.writing = Some(from);
        let txn = self.db.begin().await?;
        for (day, hours) in by_day {
            self.writing = Some(day);
            let set = DaySet {
                connection_id: self.req.connection.id,
                provider,
                usage_type,
                day,
            };
            let checked = day < self.today;
            if let Err(disagreement) =
                replace_hours(&txn, set, hours, Some(self.run_id), self.book, checked).await?
            {
                self.issue(
                    IssueCode::HourlyMismatch,
                    day,
                    usage_type,
                    disagreement.to_string(),
                );
            }
        }
        txn.commit().await?;
        Ok(())
    }

    /// The hours of each day of `from..=to` (through today) that is not
    /// already a bad day; a day with a partial or repeated hour bucket
    /// becomes an issue instead.
    fn sound_hours(
        &mut self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        buckets: Vec<DayBucket>,
    ) -> BTreeMap<NaiveDate, Vec<Hour>> {
        let mut by_day: BTreeMap<NaiveDate, Vec<Hour>> = from
            .iter_days()
            .take_while(|d| *d <= to.min(self.today))
            .filter(|d| !self.bad_days.contains(d))
            .map(|d| (d, Vec::new()))
            .collect();
        let mut rejected = BTreeSet::new();
        for bucket in buckets {
            let day = bucket.start.date_naive();
            let Some(hours) = by_day.get_mut(&day) else {
                continue;
            };
            let whole_hour = bucket.start.timestamp() % 3600 == 0
                && bucket.end - bucket.start == chrono::Duration::hours(1);
            let repeated = hours.iter().any(|h| h.start == bucket.start);
            if !whole_hour || repeated {
                let what = if repeated {
                    "returned twice"
                } else {
                    "not one whole UTC hour"
                };
                let message = format!(
                    "hour bucket {} .. {} is {what}; the day's hours were not stored",
                    bucket.start.to_rfc3339(),
                    bucket.end.to_rfc3339()
                );
                let code = if repeated {
                    IssueCode::DuplicateBucket
                } else {
                    IssueCode::PartialBucket
                };
                self.issue(code, day, usage_type, message);
                rejected.insert(day);
                continue;
            }
            hours.push(Hour {
                start: bucket.start,
                rows: bucket.rows,
            });
        }
        by_day.retain(|day, _| !rejected.contains(day));
        by_day
    }

    fn fetch_failed(
        &mut self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        error: &ProviderError,
    ) {
        if error.is_fatal() {
            self.fatal = true;
        }
        tracing::warn!(usage_type, %from, %to, code = %error.code(), "provider fetch failed: {error}");
        for day in from.iter_days().take_while(|d| *d <= to) {
            self.issue(error.code(), day, usage_type, error.to_string());
        }
    }

    /// Checks the buckets of one window and replaces (or compares) the day
    /// sets that are sound.
    async fn apply(
        &mut self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        buckets: Vec<DayBucket>,
    ) -> Result<()> {
        let sound = self.sound_days(usage_type, from, to, buckets);
        if sound.is_empty() {
            return Ok(());
        }
        let provider = self.req.provider;
        let set = |day| DaySet {
            connection_id: self.req.connection.id,
            provider,
            usage_type,
            day,
        };
        let mut outcomes = Vec::with_capacity(sound.len());
        if self.req.dry_run {
            for (day, rows) in sound {
                outcomes.push(diff::compare(self.db, set(day), rows, self.book).await?);
            }
        } else {
            self.writing = Some(from);
            let txn = self.db.begin().await?;
            for (day, rows) in sound {
                self.writing = Some(day);
                outcomes
                    .push(replace_day(&txn, set(day), rows, Some(self.run_id), self.book).await?);
            }
            txn.commit().await?;
        }
        for outcome in outcomes {
            self.count(outcome);
        }
        Ok(())
    }

    /// The day sets of `from..=to` fit to store, in day order. A day that
    /// is partial, returned twice, or missing (before today) becomes an
    /// issue instead.
    fn sound_days(
        &mut self,
        usage_type: &str,
        from: NaiveDate,
        to: NaiveDate,
        buckets: Vec<DayBucket>,
    ) -> Vec<(NaiveDate, Vec<BucketRow>)> {
        let mut by_day: BTreeMap<NaiveDate, Vec<BucketRow>> = BTreeMap::new();
        let mut rejected: BTreeSet<NaiveDate> = BTreeSet::new();
        for bucket in buckets {
            let day = match self.bucket_day(usage_type, bucket.start, bucket.end, from, to) {
                Ok(Some(day)) => day,
                Ok(None) => continue,
                Err(day) => {
                    rejected.insert(day);
                    continue;
                }
            };
            if by_day.insert(day, bucket.rows).is_some() {
                self.issue(
                    IssueCode::DuplicateBucket,
                    day,
                    usage_type,
                    "the provider returned this day twice; not stored".to_owned(),
                );
                rejected.insert(day);
            }
        }
        let mut sound: Vec<(NaiveDate, Vec<BucketRow>)> = Vec::new();
        for day in from.iter_days().take_while(|d| *d <= to) {
            if rejected.contains(&day) {
                by_day.remove(&day);
                continue;
            }
            match by_day.remove(&day) {
                Some(rows) => sound.push((day, rows)),
                // Today's bucket may simply not exist yet.
                None if day >= self.today => {}
                None => self.issue(
                    IssueCode::MissingBucket,
                    day,
                    usage_type,
                    "the provider returned no bucket for this day".to_owned(),
                ),
            }
        }
        sound
    }

    /// The UTC day of a provider bucket: `Ok(None)` when it lies outside
    /// what we asked for (not ours to judge or store), `Err(day)` when it is
    /// not one whole UTC day (an issue; the day is not stored).
    fn bucket_day(
        &mut self,
        usage_type: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<NaiveDate>, NaiveDate> {
        let day = start.date_naive();
        if day < from || day > to {
            return Ok(None);
        }
        if start != midnight(day) || end != midnight(next_day(day)) {
            let message = format!(
                "bucket {} .. {} is not one whole UTC day; not stored",
                start.to_rfc3339(),
                end.to_rfc3339()
            );
            self.issue(IssueCode::PartialBucket, day, usage_type, message);
            return Err(day);
        }
        Ok(Some(day))
    }

    fn count(&mut self, outcome: ReplaceOutcome) {
        let r = &mut self.report;
        r.windows += 1;
        r.rows_inserted += outcome.inserted;
        r.rows_updated += outcome.updated;
        r.rows_deleted += outcome.deleted;
        r.rows_unchanged += outcome.unchanged;
        r.unpriced_models.extend(outcome.unpriced_models);
    }

    fn issue(&mut self, code: IssueCode, day: NaiveDate, usage_type: &str, message: String) {
        self.bad_days.insert(day);
        self.report.issues.push(Issue {
            code,
            day,
            usage_type: Some(usage_type.to_owned()),
            message,
        });
    }

    fn mark_bad(&mut self, from: NaiveDate, to: NaiveDate) {
        self.bad_days
            .extend(from.iter_days().take_while(|d| *d <= to));
    }
}

/// `from..=to` cut into windows of at most `size` days.
fn chunks(from: NaiveDate, to: NaiveDate, size: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = start
            .checked_add_days(Days::new(u64::from(size.max(1)) - 1))
            .unwrap_or(to)
            .min(to);
        out.push((start, end));
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_once() {
        let d = |s| crate::dates::parse_day(s).expect("day");
        assert_eq!(
            chunks(d("2026-11-01"), d("2026-11-10"), 4),
            vec![
                (d("2026-11-01"), d("2026-11-04")),
                (d("2026-11-05"), d("2026-11-08")),
                (d("2026-11-09"), d("2026-11-10")),
            ]
        );
        assert_eq!(chunks(d("2026-11-01"), d("2026-11-01"), 7).len(), 1);
    }
}
