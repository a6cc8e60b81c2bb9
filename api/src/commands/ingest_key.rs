//! `cognitrack ingest-key create`: a key applications report sessions with.
use anyhow::Result;
use clap::Subcommand;

use crate::cli::open;
use crate::config::DbArgs;

#[derive(Debug, Subcommand)]
pub enum IngestKeyCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// A name to recognise the key by, e.g. the application's.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: IngestKeyCommand) -> Result<()> {
    let IngestKeyCommand::Create { name, db } = command;
    let conn = open(&db).await?;
    let created = ledger::tracking::keys::create(&conn, &name).await?;
    println!("{}", created.secret);
    eprintln!(
        "ingest key {:?} created (id {}); it is shown only this once",
        created.name, created.id
    );
    Ok(())
}
