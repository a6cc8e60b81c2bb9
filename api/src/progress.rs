//! A terminal progress bar for `cognitrack ingest`. indicatif draws only
//! when stderr is a terminal, so scripts and CI logs stay clean.
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};

pub struct IngestProgress(ProgressBar);

impl Default for IngestProgress {
    fn default() -> Self {
        let bar = ProgressBar::new(0);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} windows {msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(bar)
    }
}

impl IngestProgress {
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl ledger::ingest::Progress for IngestProgress {
    fn window_done(&self, done: u64, total: u64, usage_type: &str, from: NaiveDate, to: NaiveDate) {
        self.0.set_length(total);
        self.0.set_position(done);
        self.0.set_message(format!("{usage_type} {from}..{to}"));
    }
}
