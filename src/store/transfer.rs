//! Copying a whole database into an empty one: SQLite to PostgreSQL and back, and a
//! backup into the database it restores. Every table the schema holds is copied as it
//! stands (articles with their ids, token digests, sources' state, queues, the change
//! clock, column listings with their archive positions), so the target serves the same
//! bytes and partners' cursors stay valid; nothing is recomputed.
//!
//! The tables and columns come from the databases' own catalogues (`schema`), so a
//! table a future migration adds is copied without being named here; both databases
//! must be at the same migration and have the same tables and columns, or nothing is
//! copied. The source is read in one snapshot (it may keep serving meanwhile), and the
//! target written in one transaction that commits only after every table's row count
//! matches the source's: a failed transfer leaves the target as empty as it was.

use super::connect::{backend_url, cause, Place};
use super::schema::{self, quoted, Table, ValueKind};
use super::{Backend, Store, StoreError};
use futures_util::TryStreamExt;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, ConnectOptions, Executor, Row};
use std::collections::BTreeMap;

/// Tables the migrations themselves fill (the change clock's one row, the notifier's
/// watermark): a freshly migrated target holds these rows, and the copy replaces them.
const SEEDED_BY_MIGRATIONS: [&str; 2] = ["change_clock", "notify_watermarks"];

/// Values bound per INSERT. Larger statements cost more per row on SQLite (measured on
/// 40,000 rows into SQLite: 1.0 s at 500, 1.3 s at 1,000, 1.6 s at 2,000, 19.6 s at
/// 30,000), and gain nothing on PostgreSQL past a few hundred.
const VALUES_PER_INSERT: usize = 1_000;
/// Bytes of text gathered for one INSERT, so a run of long articles stays small in memory.
const BYTES_PER_INSERT: usize = 8 << 20;

/// Why a transfer did not start, or did not commit.
#[derive(Debug, thiserror::Error)]
pub enum TransferRefusal {
    #[error(
        "the target database already holds data ({rows} {} in {table}); \
         transfer and restore write only into an empty database",
        if *.rows == 1 { "row" } else { "rows" }
    )]
    TargetNotEmpty { table: String, rows: i64 },
    #[error(
        "the source database is at migration {source_version} and the target at {target_version}; \
         both must be at the same one (run `syndic migrate` on the source with this syndic)"
    )]
    MigrationsDiffer { source_version: String, target_version: String },
    #[error("table {table} exists only in the {side} database")]
    TableOnOneSide { table: String, side: &'static str },
    #[error("table {table} has columns ({source_columns}) in the source and ({target_columns}) in the target")]
    ColumnsDiffer { table: String, source_columns: String, target_columns: String },
    #[error("table {table}: the source holds {source_rows} rows but {target_rows} reached the target")]
    CountsDiffer { table: String, source_rows: i64, target_rows: i64 },
}

/// Where a transfer stands, after each batch.
#[derive(Debug, Clone, Copy)]
pub struct TransferProgress<'a> {
    pub table: &'a str,
    pub table_copied: i64,
    pub table_rows: i64,
    pub copied: i64,
    pub rows: i64,
}

/// What was copied: every table with its row count, verified on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferReport {
    pub tables: Vec<(String, i64)>,
}

impl TransferReport {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

/// One value of a row, as its column's kind reads it.
enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Store {
    /// Copies every table of the database at `source_url`, opened read-only, into this
    /// one (see `copy_into`).
    pub async fn copy_from(
        &self,
        source_url: &str,
        progress: impl FnMut(TransferProgress<'_>),
    ) -> Result<TransferReport, StoreError> {
        let source = Store::open_read_only(source_url).await?;
        let copied = source.copy_into(self, progress).await;
        source.close().await;
        copied
    }

    /// Opens a database to copy from, without writing to it: a SQLite file is opened
    /// read-only (and must exist), so a backup file can be restored from as it is.
    pub(super) async fn open_read_only(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = if url.starts_with("sqlite:") && !url.contains("mode=") {
            format!("{url}{}mode=ro", if url.contains('?') { '&' } else { '?' })
        } else {
            url.to_owned()
        };
        let (backend, url) = backend_url(&url)?;
        let mut options = AnyPoolOptions::new().max_connections(1);
        if backend == Backend::Sqlite {
            // Read-only: none of the journal settings `connect` makes, which write.
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
        }
        // A table read as a stream lasts as long as its copy: not a slow statement to warn of.
        let connect = url.parse::<AnyConnectOptions>()?.disable_statement_logging();
        let pool = options.connect_with(connect).await.map_err(|error| {
            StoreError::Unavailable(format!("the source database: {}", cause(&error, &Place::of(backend, &url))))
        })?;
        // Never written: its one connection is the writer's too.
        Ok(Store { writer: pool.clone(), pool, backend, url: url.into(), local_changes: Default::default() })
    }

    /// Copies every table of this database into `target`, which must be migrated to
    /// the same version and hold no data; `progress` hears after each batch.
    async fn copy_into(
        &self,
        target: &Store,
        mut progress: impl FnMut(TransferProgress<'_>),
    ) -> Result<TransferReport, StoreError> {
        let mut source = match self.backend {
            // Deferred: the first read fixes the snapshot every later read sees.
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
        };
        let mut destination = target.begin_write().await?;
        let tables = matching_tables(&mut source, self.backend, &mut destination, target.backend).await?;
        refuse_unless_empty(&mut destination, &tables).await?;
        let mut counts = BTreeMap::new();
        for table in &tables {
            counts.insert(table.name.clone(), count(&mut source, &table.name).await?);
        }
        let rows = counts.values().sum();
        let mut copied = 0;
        for table in schema::insertion_order(&tables)? {
            let table_rows = counts[&table.name];
            let mut table_copied = 0;
            let mut batch = Batch::new(table);
            let select = select_sql(table);
            let mut stream = sqlx::query(&select).fetch(&mut *source);
            while let Some(row) = stream.try_next().await? {
                batch.push(read_row(table, &row)?);
                if batch.is_full() {
                    let written = batch.insert(&mut destination).await?;
                    (table_copied, copied) = (table_copied + written, copied + written);
                    progress(TransferProgress { table: &table.name, table_copied, table_rows, copied, rows });
                }
            }
            drop(stream);
            let written = batch.insert(&mut destination).await?;
            (table_copied, copied) = (table_copied + written, copied + written);
            progress(TransferProgress { table: &table.name, table_copied, table_rows, copied, rows });
            if table_copied != table_rows {
                return Err(counts_differ(&table.name, table_rows, table_copied));
            }
        }
        let high_water = schema::id_high_water(&mut source, self.backend).await?;
        schema::advance_ids(&mut destination, target.backend, &high_water).await?;
        // Touches the clock row, unchanged: a server already on the target hears of the
        // copy as of any change (PostgreSQL NOTIFYs on an update of the row; SQLite's
        // followers read it).
        sqlx::query("UPDATE change_clock SET last_micros = last_micros WHERE id = 1")
            .execute(&mut *destination)
            .await?;
        let mut report = TransferReport { tables: Vec::with_capacity(tables.len()) };
        for (table, source_rows) in counts {
            let target_rows = count(&mut destination, &table).await?;
            if target_rows != source_rows {
                return Err(counts_differ(&table, source_rows, target_rows));
            }
            report.tables.push((table, target_rows));
        }
        destination.commit().await?;
        source.rollback().await?;
        if target.backend == Backend::Postgres {
            // Fresh planner statistics, or the first queries plan as if the tables were empty.
            sqlx::query("ANALYZE").execute(&target.pool).await?;
        }
        Ok(report)
    }
}

fn counts_differ(table: &str, source_rows: i64, target_rows: i64) -> StoreError {
    TransferRefusal::CountsDiffer { table: table.to_owned(), source_rows, target_rows }.into()
}

/// The tables of both databases, as the target defines them, after checking that both
/// are at the same migration and have the same tables with the same columns.
async fn matching_tables(
    source: &mut AnyConnection,
    source_backend: Backend,
    target: &mut AnyConnection,
    target_backend: Backend,
) -> Result<Vec<Table>, StoreError> {
    let source_versions = schema::migration_versions(source).await?;
    let target_versions = schema::migration_versions(target).await?;
    if source_versions != target_versions {
        let last = |versions: &[i64]| versions.last().map_or("none".to_owned(), |v| format!("{v:04}"));
        return Err(TransferRefusal::MigrationsDiffer {
            source_version: last(&source_versions),
            target_version: last(&target_versions),
        }
        .into());
    }
    let source_tables = schema::tables(source, source_backend).await?;
    let target_tables = schema::tables(target, target_backend).await?;
    let on_one_side = |tables: &[Table], others: &[Table], side| {
        tables
            .iter()
            .find(|t| !others.iter().any(|o| o.name == t.name))
            .map(|t| TransferRefusal::TableOnOneSide { table: t.name.clone(), side })
    };
    if let Some(refusal) = on_one_side(&source_tables, &target_tables, "source")
        .or_else(|| on_one_side(&target_tables, &source_tables, "target"))
    {
        return Err(refusal.into());
    }
    for target_table in &target_tables {
        let source_table = source_tables.iter().find(|t| t.name == target_table.name).expect("checked above");
        let described = |table: &Table| {
            let mut columns: Vec<String> =
                table.columns.iter().map(|c| format!("{} {:?}", c.name, c.kind).to_lowercase()).collect();
            columns.sort();
            columns.join(", ")
        };
        let (source_columns, target_columns) = (described(source_table), described(target_table));
        if source_columns != target_columns {
            let table = target_table.name.clone();
            return Err(TransferRefusal::ColumnsDiffer { table, source_columns, target_columns }.into());
        }
    }
    Ok(target_tables)
}

/// Refuses a target holding any row beyond what its migrations put there, and clears
/// those, which the copy brings anew.
async fn refuse_unless_empty(target: &mut AnyConnection, tables: &[Table]) -> Result<(), StoreError> {
    // In insertion order, so the table named is the one that matters (columns, not
    // the listings derived from them), and the audit log, which records changes to
    // the others, after them all.
    let mut ordered = schema::insertion_order(tables)?;
    ordered.sort_by_key(|table| table.name == "audit_log");
    for table in ordered {
        if SEEDED_BY_MIGRATIONS.contains(&table.name.as_str()) {
            continue;
        }
        let rows = count(target, &table.name).await?;
        if rows > 0 {
            return Err(TransferRefusal::TargetNotEmpty { table: table.name.clone(), rows }.into());
        }
    }
    for table in SEEDED_BY_MIGRATIONS {
        sqlx::query(&format!("DELETE FROM {}", quoted(table))).execute(&mut *target).await?;
    }
    Ok(())
}

async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quoted(table))).fetch_one(&mut *conn).await?)
}

/// Reads a table's rows; a table referring to itself (the column tree) parents first,
/// so each row's parent is in the target before it.
fn select_sql(table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|c| format!("t.{}", quoted(&c.name))).collect();
    let columns = columns.join(", ");
    let name = quoted(&table.name);
    match table.self_reference() {
        None => format!("SELECT {columns} FROM {name} t"),
        Some(reference) => {
            let (child, parent) = (quoted(&reference.column), quoted(&reference.parent_column));
            format!(
                "WITH RECURSIVE tree (node, depth) AS (
                     SELECT {parent}, 0 FROM {name} WHERE {child} IS NULL
                     UNION ALL
                     SELECT c.{parent}, tree.depth + 1 FROM {name} c JOIN tree ON c.{child} = tree.node
                 )
                 SELECT {columns} FROM {name} t JOIN tree ON t.{parent} = tree.node ORDER BY tree.depth"
            )
        }
    }
}

fn read_row(table: &Table, row: &AnyRow) -> Result<Vec<Value>, StoreError> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| {
            Ok(match column.kind {
                ValueKind::Integer => Value::Integer(row.try_get(index)?),
                ValueKind::Text => Value::Text(row.try_get(index)?),
                ValueKind::Bytes => Value::Bytes(row.try_get(index)?),
            })
        })
        .collect()
}

/// Rows gathered for one multi-row INSERT.
struct Batch<'t> {
    table: &'t Table,
    rows: Vec<Vec<Value>>,
    bytes: usize,
}

impl<'t> Batch<'t> {
    fn new(table: &'t Table) -> Batch<'t> {
        Batch { table, rows: Vec::new(), bytes: 0 }
    }

    fn push(&mut self, row: Vec<Value>) {
        self.bytes += row
            .iter()
            .map(|v| match v {
                Value::Text(Some(text)) => text.len(),
                Value::Bytes(Some(bytes)) => bytes.len(),
                _ => 8,
            })
            .sum::<usize>();
        self.rows.push(row);
    }

    fn is_full(&self) -> bool {
        (self.rows.len() + 1) * self.table.columns.len() > VALUES_PER_INSERT || self.bytes >= BYTES_PER_INSERT
    }

    /// Writes the gathered rows in one statement; how many.
    async fn insert(&mut self, target: &mut AnyConnection) -> Result<i64, StoreError> {
        let written = self.rows.len() as i64;
        if self.rows.is_empty() {
            return Ok(0);
        }
        let width = self.table.columns.len();
        let names: Vec<String> = self.table.columns.iter().map(|c| quoted(&c.name)).collect();
        let tuples: Vec<String> =
            (0..self.rows.len()).map(|r| format!("({})", super::placeholders(r * width + 1, width))).collect();
        let sql =
            format!("INSERT INTO {} ({}) VALUES {}", quoted(&self.table.name), names.join(", "), tuples.join(", "));
        let mut query = sqlx::query(&sql);
        for value in self.rows.drain(..).flatten() {
            query = match value {
                Value::Integer(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
                Value::Bytes(v) => query.bind(v),
            };
        }
        query.execute(&mut *target).await?;
        self.bytes = 0;
        Ok(written)
    }
}
