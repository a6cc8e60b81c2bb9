//! Schema drift: the migrations, run on a fresh database, must create the
//! tables and columns the entities describe, on SQLite and on PostgreSQL.
//! The migrations spell their schema out instead of reading the entities, so
//! an entity changed without a migration (or the reverse) fails here.
//!
//! PostgreSQL: a database of its own on the server at
//! `COGNITRACK_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! dropped when the test ends, also when it panics.
// The 60-line limit is for production code.
#![allow(clippy::too_many_lines)]
use std::collections::{BTreeMap, BTreeSet};

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait,
    IdenStatic, Iterable, PrimaryKeyToColumn, Statement, sea_query::StringLen,
};

/// One column as an entity declares it.
struct EntityColumn {
    name: String,
    col_type: ColumnType,
    nullable: bool,
    primary_key: bool,
}

/// One entity's table as the entity declares it.
struct EntityTable {
    /// The module in `entity/src/lib.rs`.
    module: &'static str,
    table: String,
    columns: Vec<EntityColumn>,
}

fn entity_table<E: EntityTrait>(module: &'static str) -> EntityTable {
    let primary_key: BTreeSet<&str> = E::PrimaryKey::iter()
        .map(|key| key.into_column().as_str())
        .collect();
    let columns = E::Column::iter()
        .map(|column| {
            let def = column.def();
            EntityColumn {
                name: column.as_str().to_owned(),
                col_type: def.get_column_type().clone(),
                nullable: def.is_null(),
                primary_key: primary_key.contains(column.as_str()),
            }
        })
        .collect();
    EntityTable {
        module,
        table: E::default().table_name().to_owned(),
        columns,
    }
}

/// Every module of `entity/src/lib.rs`; `every_entity_is_checked` keeps the
/// list complete.
macro_rules! entities {
    ($($module:ident),* $(,)?) => {
        fn entities() -> Vec<EntityTable> {
            vec![$(entity_table::<entity::$module::Entity>(stringify!($module))),*]
        }
    };
}

entities!(
    anomaly_alert,
    billed_cost,
    budget,
    budget_alert,
    ingest_key,
    ingestion_run,
    interaction,
    interaction_archive,
    interaction_daily,
    inventory_item,
    job_lease,
    model_price,
    parity_file,
    parity_report,
    period_close,
    period_close_line,
    price_version,
    provider_connection,
    reconciliation_report,
    session,
    session_archive,
    unit_rate,
    usage_bucket,
    usage_bucket_archive,
    usage_bucket_superseded,
    usage_bucket_superseded_archive,
    usage_day_digest,
    usage_hour,
    usage_revision,
    usage_rollup,
    webhook,
);

/// The type name the database reports for a column of `col_type`, as
/// sea-query writes it in `CREATE TABLE` (SQLite's `PRAGMA table_info` gives
/// the declared text; PostgreSQL's `information_schema.columns.data_type`,
/// with the length appended when there is one). `None`: not mapped yet.
fn expected_sql_type(col_type: &ColumnType, backend: DbBackend) -> Option<String> {
    let sqlite = backend == DbBackend::Sqlite;
    let name = match col_type {
        ColumnType::String(StringLen::N(length)) if sqlite => {
            return Some(format!("varchar({length})"));
        }
        ColumnType::String(StringLen::N(length)) => {
            return Some(format!("character varying({length})"));
        }
        ColumnType::String(StringLen::None) if sqlite => "varchar",
        ColumnType::String(StringLen::None) => "character varying",
        ColumnType::Text => "text",
        ColumnType::Integer => "integer",
        ColumnType::BigInteger if sqlite => "integer",
        ColumnType::BigInteger => "bigint",
        ColumnType::Double if sqlite => "double",
        ColumnType::Double => "double precision",
        ColumnType::Boolean => "boolean",
        ColumnType::Date if sqlite => "date_text",
        ColumnType::Date => "date",
        ColumnType::DateTime if sqlite => "datetime_text",
        ColumnType::DateTime => "timestamp without time zone",
        ColumnType::TimestampWithTimeZone if sqlite => "timestamp_with_timezone_text",
        ColumnType::TimestampWithTimeZone => "timestamp with time zone",
        ColumnType::Json if sqlite => "json_text",
        ColumnType::Json => "json",
        ColumnType::JsonBinary if sqlite => "jsonb_text",
        ColumnType::JsonBinary => "jsonb",
        ColumnType::Uuid if sqlite => "uuid_text",
        ColumnType::Uuid => "uuid",
        _ => return None,
    };
    Some(name.to_owned())
}

/// One column as the database reports it.
struct DbColumn {
    sql_type: String,
    nullable: bool,
    primary_key: bool,
}

/// Table name → column name → column.
type DbSchema = BTreeMap<String, BTreeMap<String, DbColumn>>;

const SQLITE_COLUMNS: &str = r#"
SELECT m.name AS table_name, p.name AS column_name, p."type" AS sql_type,
       1 - p."notnull" AS nullable, p.pk > 0 AS primary_key
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
"#;

const POSTGRES_COLUMNS: &str = r#"
SELECT c.table_name::text AS table_name, c.column_name::text AS column_name,
       CASE WHEN c.character_maximum_length IS NULL THEN c.data_type::text
            ELSE c.data_type::text || '(' || c.character_maximum_length || ')' END AS sql_type,
       (c.is_nullable = 'YES')::int AS nullable,
       EXISTS (
           SELECT 1 FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage k
             ON k.constraint_schema = tc.constraint_schema
            AND k.constraint_name = tc.constraint_name
           WHERE tc.constraint_type = 'PRIMARY KEY'
             AND tc.table_schema = c.table_schema
             AND tc.table_name = c.table_name
             AND k.column_name = c.column_name
       )::int AS primary_key
FROM information_schema.columns c
JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
"#;

async fn introspect(db: &DatabaseConnection) -> DbSchema {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => SQLITE_COLUMNS,
        DbBackend::Postgres => POSTGRES_COLUMNS,
        other => panic!("no introspection for {other:?}"),
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("list the columns");
    let mut schema = DbSchema::new();
    for row in rows {
        let get_text = |column: &str| {
            row.try_get::<String>("", column)
                .unwrap_or_else(|e| panic!("read {column}: {e}"))
        };
        let get_flag = |column: &str| {
            row.try_get::<i32>("", column)
                .unwrap_or_else(|e| panic!("read {column}: {e}"))
                != 0
        };
        schema.entry(get_text("table_name")).or_default().insert(
            get_text("column_name"),
            DbColumn {
                sql_type: get_text("sql_type").to_lowercase(),
                nullable: get_flag("nullable"),
                primary_key: get_flag("primary_key"),
            },
        );
    }
    schema
}

fn null_word(nullable: bool) -> &'static str {
    if nullable { "NULL" } else { "NOT NULL" }
}

fn key_word(primary_key: bool) -> &'static str {
    if primary_key {
        "part of the primary key"
    } else {
        "not part of the primary key"
    }
}

/// Every difference between the entities and the migrated schema.
fn drift(backend: DbBackend, schema: &DbSchema) -> Vec<String> {
    let entities = entities();
    let mut problems = Vec::new();
    for entity in &entities {
        let (module, table) = (entity.module, &entity.table);
        let Some(db_columns) = schema.get(table) else {
            problems.push(format!(
                "entity `{module}`: table `{table}` does not exist (no migration creates it)"
            ));
            continue;
        };
        for column in &entity.columns {
            let name = &column.name;
            let Some(db_column) = db_columns.get(name) else {
                problems.push(format!(
                    "entity `{module}`: column `{name}` is missing from table `{table}`"
                ));
                continue;
            };
            match expected_sql_type(&column.col_type, backend) {
                None => problems.push(format!(
                    "entity `{module}`: column `{name}` has type {:?}, which \
                     expected_sql_type does not map for {backend:?}; add it there",
                    column.col_type
                )),
                Some(expected) if expected != db_column.sql_type => problems.push(format!(
                    "entity `{module}`: column `{name}` type differs: the entity's {:?} \
                     is `{expected}`, table `{table}` has `{}`",
                    column.col_type, db_column.sql_type
                )),
                Some(_) => {}
            }
            if column.nullable != db_column.nullable {
                problems.push(format!(
                    "entity `{module}`: column `{name}` nullability differs: the entity \
                     says {}, table `{table}` has {}",
                    null_word(column.nullable),
                    null_word(db_column.nullable)
                ));
            }
            if column.primary_key != db_column.primary_key {
                problems.push(format!(
                    "entity `{module}`: column `{name}` is {} in the entity but {} \
                     in table `{table}`",
                    key_word(column.primary_key),
                    key_word(db_column.primary_key)
                ));
            }
        }
        for name in db_columns.keys() {
            if !entity.columns.iter().any(|column| &column.name == name) {
                problems.push(format!(
                    "entity `{module}`: table `{table}` has column `{name}`, which the \
                     entity lacks"
                ));
            }
        }
    }
    for table in schema.keys() {
        if table != "seaql_migrations" && !entities.iter().any(|entity| &entity.table == table) {
            problems.push(format!(
                "table `{table}` is created by the migrations but no entity maps it"
            ));
        }
    }
    problems
}

async fn assert_no_drift(db: &DatabaseConnection) {
    Migrator::up(db, None).await.expect("run the migrations");
    let backend = db.get_database_backend();
    let schema = introspect(db).await;
    assert!(
        schema.len() > 1,
        "{backend:?}: the migrations created no table"
    );
    let problems = drift(backend, &schema);
    assert!(
        problems.is_empty(),
        "{backend:?}: the migrated schema and the entities differ:\n  {}",
        problems.join("\n  ")
    );
}

/// A database name no other run uses.
fn unique_name() -> String {
    format!("ct_test_drift_{}", uuid::Uuid::new_v4().simple())
}

/// A SQLite file, removed when dropped.
struct SqliteFile(std::path::PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

#[tokio::test]
async fn sqlite_schema_matches_entities() {
    let file = SqliteFile(std::env::temp_dir().join(format!("{}.db", unique_name())));
    let url = format!("sqlite://{}?mode=rwc", file.0.display());
    let db = Database::connect(url.as_str())
        .await
        .expect("open the SQLite file");
    assert_no_drift(&db).await;
    db.close().await.expect("close");
}

fn postgres_admin_url() -> String {
    std::env::var("COGNITRACK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` with its database replaced by `database`, keeping any `?options`.
fn with_database(url: &str, database: &str) -> String {
    let (base, options) = url
        .split_once('?')
        .map_or((url, None), |(b, o)| (b, Some(o)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match options {
        Some(options) => format!("{server}/{database}?{options}"),
        None => format!("{server}/{database}"),
    }
}

/// A PostgreSQL database of its own, dropped when this guard is dropped,
/// including while a failed assertion unwinds.
struct PostgresDatabase {
    admin_url: String,
    name: String,
}

impl PostgresDatabase {
    async fn create() -> Self {
        let admin_url = postgres_admin_url();
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at {admin_url} (COGNITRACK_TEST_PG_URL) is needed: {e}")
            });
        let name = unique_name();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.expect("close the admin connection");
        Self { admin_url, name }
    }

    fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // Drop runs on the test's runtime, which cannot block on a future:
        // a thread of its own with a runtime of its own does the dropping.
        let admin_url = self.admin_url.clone();
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                admin
                    .execute_unprepared(&sql)
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await.map_err(|e| e.to_string())
            })
        })
        .join();
        // Never panic here: this may run while a failed test unwinds.
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

#[tokio::test]
async fn postgres_schema_matches_entities() {
    let database = PostgresDatabase::create().await;
    let db = Database::connect(database.url().as_str())
        .await
        .expect("connect to the test database");
    assert_no_drift(&db).await;
    db.close().await.expect("close");
}

/// Modules of `entity` that hold no table.
const NOT_TABLES: [&str; 1] = ["enums"];

/// Every `pub mod` of `entity/src/lib.rs` but [`NOT_TABLES`] is in
/// `entities!`, so a new entity cannot skip the drift check.
#[test]
fn every_entity_is_checked() {
    let lib = include_str!("../../entity/src/lib.rs");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub mod "))
        .filter_map(|rest| rest.strip_suffix(';'))
        .filter(|module| !NOT_TABLES.contains(module))
        .collect();
    let checked: BTreeSet<&str> = entities().iter().map(|entity| entity.module).collect();
    assert!(
        !declared.is_empty(),
        "no `pub mod` found in entity/src/lib.rs"
    );
    assert_eq!(
        declared, checked,
        "entity/src/lib.rs modules (left) and the entities! list in migration/tests/drift.rs (right) differ"
    );
}

#[test]
fn database_url_keeps_server_and_options() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "x"),
        "postgres://u@h:5432/x"
    );
}

/// Migration 31 on a store with closes already written: the oldest open
/// close of each period and scope takes the scope key, and a duplicate an
/// earlier race left open, or a reopened close, does not (the unique index
/// is then created without a clash).
async fn assert_open_scopes_backfilled(db: &DatabaseConnection) {
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261201_000031_archive_superseded")
        .expect("migration 31");
    Migrator::up(db, Some(u32::try_from(before).expect("count")))
        .await
        .expect("migrate to the one before 31");
    for (period, provider, reopened) in [
        ("2026-01", "NULL", "NULL"),
        ("2026-01", "NULL", "NULL"),
        ("2026-01", "'openai'", "NULL"),
        ("2026-01", "NULL", "'2026-02-03T00:00:00Z'"),
        ("2026-02", "NULL", "NULL"),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO period_close (period, provider, first_day, last_day, closed_at, \
             closed_by, reopened_at, reopened_by) VALUES ('{period}', {provider}, \
             '2026-01-01', '2026-01-31', '2026-02-02T00:00:00Z', 'finance', {reopened}, NULL)"
        ))
        .await
        .expect("insert a close");
    }
    Migrator::up(db, None).await.expect("migrate to the latest");
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT open_scope FROM period_close ORDER BY id",
        ))
        .await
        .expect("closes");
    let scopes: Vec<Option<String>> = rows
        .iter()
        .map(|row| row.try_get("", "open_scope").expect("open_scope"))
        .collect();
    assert_eq!(
        scopes,
        [
            Some("2026-01:*".to_owned()),
            None,
            Some("2026-01:openai".to_owned()),
            None,
            Some("2026-02:*".to_owned()),
        ]
    );
}

#[tokio::test]
async fn sqlite_open_scopes_backfilled() {
    let file = SqliteFile(std::env::temp_dir().join(format!("{}.db", unique_name())));
    let url = format!("sqlite://{}?mode=rwc", file.0.display());
    let db = Database::connect(url.as_str())
        .await
        .expect("open the SQLite file");
    assert_open_scopes_backfilled(&db).await;
    db.close().await.expect("close");
}

#[tokio::test]
async fn postgres_open_scopes_backfilled() {
    let database = PostgresDatabase::create().await;
    let db = Database::connect(database.url().as_str())
        .await
        .expect("connect to the test database");
    assert_open_scopes_backfilled(&db).await;
    db.close().await.expect("close");
}
