//! The Markdown the run prints: one table row per issue #10 measure with
//! the server's figure, the raw database figure for the same work and
//! their ratio, then the notes (RSS, plans).
use std::fmt::Write as _;

pub struct Row {
    pub measure: String,
    pub target: &'static str,
    pub server: String,
    pub raw: String,
    /// server / raw for times, raw / server for rates: above 1 = the
    /// server is slower than the database alone.
    pub ratio: f64,
}

#[derive(Default)]
pub struct Report {
    pub title: String,
    pub context: Vec<String>,
    pub rows: Vec<Row>,
    pub plans: Vec<(String, String, String)>,
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "### {}\n", self.title);
        for line in &self.context {
            let _ = writeln!(out, "{line}  ");
        }
        let _ = writeln!(
            out,
            "\n| measure | target | server (HTTP) | raw database, same work | server / raw |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for row in &self.rows {
            let ratio = if row.ratio.is_finite() {
                format!("{:.2}x", row.ratio)
            } else {
                "-".to_owned()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {ratio} |",
                row.measure, row.target, row.server, row.raw
            );
        }
        out
    }

    pub fn plans_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "#### Plans: {}\n", self.title);
        for (name, sql, plan) in &self.plans {
            let _ = writeln!(
                out,
                "{name}:\n\n```sql\n{sql}\n```\n\n```text\n{plan}\n```\n"
            );
        }
        out
    }
}
