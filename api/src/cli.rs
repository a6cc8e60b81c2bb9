//! The `cognitrack` command line. User mistakes end in one clear line on
//! stderr and a non-zero exit, never a panic.
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use rand::RngCore;
use tokio::net::TcpListener;

use crate::auth::{JwtKeys, Role, parse_ttl};
use crate::config::{DbArgs, JwtArgs, PricesArgs, ProviderArgs, ServeArgs};
use crate::router::router;
use crate::state::AppState;
use jobs::pricing::{PriceBook, UnitRates};
use jobs::providers::{ProviderClients, ProviderKind};

/// CogniTrack: a self-hosted ledger of LLM usage and cost, per UTC day.
#[derive(Parser)]
#[command(name = "cognitrack", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process; boxing `serve`'s settings would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Migrate, then serve GraphQL at /graphql (playground on GET), the
    /// dashboard at / and health at /healthz.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        jwt: JwtArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a signed API token (JWT) for a person or a script.
    Token {
        /// `viewer` may read; `admin` may also change settings.
        #[arg(long, value_enum)]
        role: Role,
        /// Who the token is for (shown in audit fields).
        #[arg(long)]
        sub: String,
        /// Lifetime, e.g. 30m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
        #[command(flatten)]
        jwt: JwtArgs,
    },
    /// Backfill provider usage for the UTC days start..end (both included);
    /// prints the run's telemetry as one JSON object. Exits 1 when any day failed.
    Ingest {
        /// openai or anthropic.
        #[arg(long)]
        provider: String,
        /// First UTC day, YYYY-MM-DD.
        #[arg(long)]
        start: String,
        /// Last UTC day, YYYY-MM-DD (included).
        #[arg(long)]
        end: String,
        /// Days fetched and stored per transaction (1-31).
        #[arg(long, default_value_t = 7)]
        chunk_days: u32,
        /// A label to find the run by.
        #[arg(long, default_value = "cli")]
        label: String,
        /// Fetch and report what would change, without writing usage.
        #[arg(long)]
        dry_run: bool,
        /// A named connection (default: the provider's only connection).
        #[arg(long)]
        connection: Option<String>,
        #[command(flatten)]
        providers: ProviderArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Compare stored usage (or billed cost) with a provider's dashboard CSV
    /// export; exits 0 within tolerance, 1 outside, 2 on bad input.
    Parity(crate::commands::parity::ParityArgs),
    /// Move rows older than the retention window to archive tables (prints
    /// JSON counts); `archive restore --from D --to D` moves them back.
    Archive(crate::commands::archive::ArchiveArgs),
    /// Refresh or print the price book.
    #[command(subcommand)]
    Pricing(PricingCommand),
    /// Manage the keys applications use to report sessions.
    #[command(name = "ingest-key", subcommand)]
    IngestKey(IngestKeyCommand),
}

#[derive(Subcommand)]
enum IngestKeyCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// A name to recognise the key by, e.g. the application's.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum PricingCommand {
    /// Fetch the price feed and store a new price version if its content changed.
    Sync {
        /// URL or file of a genai-prices v2 data.json (default: COGNITRACK_PRICES_URL).
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        prices: PricesArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Print a model's price per million tokens on a day (default today).
    Show {
        #[arg(long)]
        model: String,
        /// Provider id, e.g. openai or anthropic.
        #[arg(long, default_value = "")]
        provider: String,
        /// UTC day YYYY-MM-DD.
        #[arg(long)]
        date: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    // parity has its own exit statuses: 1 = outside tolerance, 2 = bad input.
    if let Command::Parity(args) = cli.command {
        return crate::commands::parity::main(args).await;
    }
    match dispatch(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Serve { db, jwt, serve } => serve_command(db, jwt, serve).await,
        // Handled in `run` for its exit statuses.
        Command::Parity(args) => crate::commands::parity::run(args).await.map(|_| ()),
        Command::Archive(args) => crate::commands::archive::run(args).await,
        Command::Migrate { db } => {
            open_url(&db.database_url).await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Token {
            role,
            sub,
            ttl,
            jwt,
        } => {
            let Some(secret) = jwt.jwt_secret else {
                bail!("COGNITRACK_JWT_SECRET is not set: tokens are signed with it");
            };
            let ttl = parse_ttl(&ttl).map_err(anyhow::Error::msg)?;
            if sub.trim().is_empty() {
                bail!("--sub must not be empty");
            }
            let token = JwtKeys::new(secret.as_bytes()).mint(&sub, role, ttl)?;
            println!("{token}");
            Ok(())
        }
        Command::Ingest {
            provider,
            start,
            end,
            chunk_days,
            label,
            dry_run,
            connection,
            providers,
            db,
        } => {
            let kind: ProviderKind = provider.parse()?;
            let range = jobs::dates::DayRange::parse(&start, &end)?;
            if !(1..=31).contains(&chunk_days) {
                bail!("--chunk-days must be between 1 and 31");
            }
            let config = providers.providers_config()?;
            let conn = open(&db).await?;
            jobs::connections::ensure_env_connections(
                &conn,
                config.openai_admin_key.as_ref(),
                config.anthropic_admin_key.as_ref(),
            )
            .await?;
            let target = jobs::connections::pick(&conn, kind, connection.as_deref()).await?;
            let clients = ProviderClients::new(config)?;
            let book = PriceBook::load(&conn, UnitRates::default()).await?;
            let mut request = jobs::ingest::IngestRequest::new(&target, range)?;
            request.chunk_days = chunk_days;
            request.label = label;
            request.dry_run = dry_run;
            let progress = crate::progress::IngestProgress::default();
            let report = jobs::ingest::run(&conn, &book, &clients, request, Some(&progress)).await;
            progress.finish();
            let report = report?;
            println!("{}", serde_json::to_string(&report)?);
            if report.status != jobs::ingest::RunStatus::Succeeded {
                let issues: Vec<String> = report
                    .issue_counts
                    .iter()
                    .map(|(code, n)| format!("{code} x{n}"))
                    .collect();
                bail!(
                    "ingestion run {} {} (issues: {}); the JSON on stdout has the details",
                    report.run_id,
                    report.status.as_str(),
                    issues.join(", ")
                );
            }
            Ok(())
        }
        Command::Pricing(PricingCommand::Sync { source, prices, db }) => {
            let conn = open(&db).await?;
            let book = PriceBook::load(&conn, UnitRates::default()).await?;
            let source = source.unwrap_or(prices.prices_url);
            let outcome = jobs::pricing::sync(&conn, &book, &source).await?;
            println!(
                "{}",
                serde_json::json!({
                    "price_version_id": outcome.version_id,
                    "created": outcome.created,
                    "content_hash": outcome.content_hash,
                    "source": source,
                })
            );
            Ok(())
        }
        Command::Pricing(PricingCommand::Show {
            model,
            provider,
            date,
            db,
        }) => {
            let conn = open(&db).await?;
            let book = PriceBook::load(&conn, UnitRates::default()).await?;
            let day = match date {
                Some(d) => jobs::dates::parse_day(&d)?,
                None => chrono::Utc::now().date_naive(),
            };
            let Some(p) = book.list_prices(&provider, &model, day) else {
                bail!("no price for model {model:?} on {day}");
            };
            println!(
                "{}",
                serde_json::json!({
                    "model": model, "provider": provider, "date": day.to_string(),
                    "input_mtok": p.input_mtok.to_string(),
                    "cached_input_mtok": p.cached_input_mtok.map(|d| d.to_string()),
                    "cache_write_mtok": p.cache_write_mtok.map(|d| d.to_string()),
                    "output_mtok": p.output_mtok.to_string(),
                    "price_version_id": p.version_id,
                })
            );
            Ok(())
        }
        Command::IngestKey(IngestKeyCommand::Create { name, db }) => {
            let conn = open(&db).await?;
            let created = jobs::keys::create(&conn, &name).await?;
            println!("{}", created.secret);
            eprintln!(
                "ingest key {:?} created (id {}); it is shown only this once",
                created.name, created.id
            );
            Ok(())
        }
    }
}

pub(crate) async fn open(db: &DbArgs) -> Result<sea_orm::DatabaseConnection> {
    open_url(&db.database_url).await
}

/// Connects and applies pending migrations.
async fn open_url(url: &str) -> Result<sea_orm::DatabaseConnection> {
    let conn = jobs::db::connect(url)
        .await
        .context("cannot open the database")?;
    jobs::db::migrate(&conn).await.context("migration failed")?;
    Ok(conn)
}

async fn serve_command(db: DbArgs, jwt: JwtArgs, serve: ServeArgs) -> Result<()> {
    let database_url = if serve.demo {
        let path =
            std::env::temp_dir().join(format!("cognitrack-demo-{}.db", uuid::Uuid::new_v4()));
        format!("sqlite://{}?mode=rwc", path.display())
    } else {
        db.database_url
    };
    let secret = match (jwt.jwt_secret, serve.demo) {
        (Some(secret), _) => secret,
        (None, true) => {
            let mut bytes = [0u8; 32];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        }
        (None, false) => bail!("COGNITRACK_JWT_SECRET is required to serve (or use --demo)"),
    };
    let cron_secret = serve.cron_secret.filter(|s| !s.trim().is_empty());
    if cron_secret
        .as_deref()
        .is_some_and(crate::cron::is_placeholder)
    {
        bail!(
            "COGNITRACK_CRON_SECRET must be at least {} characters and not a placeholder",
            crate::cron::MIN_SECRET_LEN
        );
    }
    let conn = open_url(&database_url).await?;
    let providers = serve.providers.providers_config()?;
    let clients = ProviderClients::new(providers.clone())?;
    let mut state = AppState::new(
        conn,
        serve.rates.unit_rates(),
        secret.as_bytes(),
        cron_secret,
        &serve.prices.prices_url,
        clients,
    )
    .await?;
    state.lookback_days = serve.schedule.ingest_lookback_days;
    // Refuse a bad retention window at start, not at the first nightly run.
    jobs::archive::cutoff_for(
        chrono::Utc::now().date_naive(),
        serve.schedule.retention_days,
    )?;
    state.retention_days = serve.schedule.retention_days;
    state.parity_dir = serve.schedule.parity_dir.clone();
    jobs::connections::ensure_env_connections(
        &state.db,
        providers.openai_admin_key.as_ref(),
        providers.anthropic_admin_key.as_ref(),
    )
    .await?;

    if serve.demo {
        eprintln!("seeding demo data into {database_url} …");
        let summary = jobs::demo::seed(&state.db, &state.book)
            .await
            .context("demo seeding failed")?;
        // A first reconciliation, so the demo shows one before the daily job.
        let today = chrono::Utc::now().date_naive();
        let to = today.pred_opt().unwrap_or(today);
        let week = jobs::dates::DayRange::new(to - chrono::Days::new(6), to)?;
        jobs::reconciliation::record(&state.db, week).await?;
        let day = chrono::Duration::days(1);
        println!(
            "CogniTrack demo: {} buckets ingested from the built-in simulator, {} sessions, {} interactions (connections demo-openai, demo-anthropic)",
            summary.buckets, summary.sessions, summary.interactions
        );
        println!(
            "viewer token: {}",
            state.jwt.mint("demo-viewer", Role::Viewer, day)?
        );
        println!(
            "admin token:  {}",
            state.jwt.mint("demo-admin", Role::Admin, day)?
        );
    }

    let _scheduler = if serve.schedule.no_schedule {
        None
    } else {
        Some(crate::schedule::start(state.clone(), &serve.schedule).await?)
    };
    let listener = TcpListener::bind(serve.addr)
        .await
        .with_context(|| format!("cannot listen on {}", serve.addr))?;
    let addr = listener.local_addr()?;
    println!("CogniTrack listening on http://{addr}  (GraphQL playground: http://{addr}/graphql)");
    let app = router(state, Some(&serve.frontend_dir));
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("server error")?;
    Ok(())
}
