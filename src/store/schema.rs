//! The schema as the database itself describes it: its tables, their columns with the
//! kind of value each holds, the foreign keys between them, the migrations applied,
//! and where id sequences stand. `transfer` copies what this reads rather than a
//! hand-kept list, so a table or column a future migration adds is copied without
//! anyone remembering to add it there.
//!
//! Only the catalogue queries differ by backend (`sqlite_master` and its pragmas,
//! `information_schema` and `pg_catalog`); what they answer is the same shape.

use super::{Backend, StoreError};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// sqlx's own bookkeeping: each database keeps the migrations of its own backend.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// A table with its columns, in the database's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// Foreign keys from this table's columns.
    pub references: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    pub name: String,
    pub kind: ValueKind,
}

/// What a column holds: every column of syndic's schema is one of these on both
/// backends (timestamps are integer microseconds, JSON is text, kept images bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueKind {
    Integer,
    Text,
    Bytes,
}

/// `column` refers to `parent_table (parent_column)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    pub column: String,
    pub parent_table: String,
    pub parent_column: String,
}

impl Table {
    /// A foreign key from this table to itself (a tree, like the column tree).
    pub fn self_reference(&self) -> Option<&Reference> {
        self.references.iter().find(|r| r.parent_table == self.name)
    }
}

/// Every table syndic's migrations made, sorted by name, migration bookkeeping left out.
pub(super) async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master
                 WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> $1 ORDER BY name",
            )
            .bind(MIGRATIONS_TABLE)
            .fetch_all(&mut *conn)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1
                 ORDER BY 1",
            )
            .bind(MIGRATIONS_TABLE)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        let columns = columns(conn, backend, &name).await?;
        let references = references(conn, backend, &name).await?;
        tables.push(Table { name, columns, references });
    }
    Ok(tables)
}

async fn columns(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<Vec<Column>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(table).fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|(name, declared)| match value_kind(&declared) {
            Some(kind) => Ok(Column { name, kind }),
            None => Err(StoreError::Corrupt(format!(
                "column {table}.{name} is of type {declared}, which transfer does not know how to copy"
            ))),
        })
        .collect()
}

/// The kind of a declared column type, by SQLite's affinity rules (which also read
/// PostgreSQL's `bigint` and `text` right); `None` for anything else.
fn value_kind(declared: &str) -> Option<ValueKind> {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        Some(ValueKind::Integer)
    } else if ["TEXT", "CHAR", "CLOB"].iter().any(|t| declared.contains(t)) {
        Some(ValueKind::Text)
    } else if declared == "BLOB" || declared == "BYTEA" {
        Some(ValueKind::Bytes)
    } else {
        None
    }
}

async fn references(conn: &mut AnyConnection, backend: Backend, table: &str) -> Result<Vec<Reference>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => r#"SELECT "from", "table", "to" FROM pragma_foreign_key_list($1) ORDER BY id, seq"#,
        Backend::Postgres => {
            "SELECT child.attname::text, parent_table.relname::text, parent.attname::text
             FROM pg_constraint c
             JOIN pg_class child_table ON child_table.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = child_table.relnamespace
             JOIN pg_class parent_table ON parent_table.oid = c.confrelid
             JOIN pg_attribute child ON child.attrelid = c.conrelid AND child.attnum = c.conkey[1]
             JOIN pg_attribute parent ON parent.attrelid = c.confrelid AND parent.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND n.nspname = current_schema() AND child_table.relname = $1
             ORDER BY 1"
        }
    };
    let rows: Vec<(String, String, String)> = sqlx::query_as(sql).bind(table).fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(|(column, parent_table, parent_column)| Reference { column, parent_table, parent_column })
        .collect())
}

/// The versions of the migrations applied (checksums differ between the backends'
/// texts of one migration; versions do not).
pub(super) async fn migration_versions(conn: &mut AnyConnection) -> Result<Vec<i64>, StoreError> {
    let sql = format!("SELECT version FROM {MIGRATIONS_TABLE} WHERE success ORDER BY version");
    Ok(sqlx::query_scalar(&sql).fetch_all(&mut *conn).await?)
}

/// The highest id each table has ever handed out, where the database remembers more
/// than the ids it holds (SQLite `AUTOINCREMENT`, PostgreSQL identity sequences): ids
/// of deleted rows stay used, since ids appear in public URLs.
pub(super) async fn id_high_water(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<BTreeMap<String, i64>, StoreError> {
    match backend {
        Backend::Sqlite => {
            let sequences: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'")
                    .fetch_one(&mut *conn)
                    .await?;
            if sequences == 0 {
                return Ok(BTreeMap::new());
            }
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT name, seq FROM sqlite_sequence").fetch_all(&mut *conn).await?;
            Ok(rows.into_iter().collect())
        }
        Backend::Postgres => {
            let mut high_water = BTreeMap::new();
            for (table, column) in identity_columns(conn).await? {
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)")
                        .bind(&table)
                        .bind(&column)
                        .fetch_one(&mut *conn)
                        .await?;
                if let Some(last) = last {
                    high_water.insert(table, last);
                }
            }
            Ok(high_water)
        }
    }
}

/// PostgreSQL's identity columns, as (table, column).
async fn identity_columns(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Moves the target's id sequences past every id copied and every id the source had
/// handed out, so the next row gets the id it would have got on the source.
pub(super) async fn advance_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    source_high_water: &BTreeMap<String, i64>,
) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            // Inserting explicit ids already moved `sqlite_sequence` past them; only ids
            // the source handed out and no longer holds remain.
            for (table, high_water) in source_high_water {
                let autoincrement: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master
                     WHERE type = 'table' AND name = $1 AND upper(sql) LIKE '%AUTOINCREMENT%'",
                )
                .bind(table)
                .fetch_one(&mut *conn)
                .await?;
                if autoincrement == 0 {
                    continue;
                }
                sqlx::query("UPDATE sqlite_sequence SET seq = $2 WHERE name = $1 AND seq < $2")
                    .bind(table)
                    .bind(high_water)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO sqlite_sequence (name, seq)
                     SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
                )
                .bind(table)
                .bind(high_water)
                .execute(&mut *conn)
                .await?;
            }
        }
        Backend::Postgres => {
            for (table, column) in identity_columns(conn).await? {
                let max_sql = format!("SELECT MAX({}) FROM {}", quoted(&column), quoted(&table));
                let max: Option<i64> = sqlx::query_scalar(&max_sql).fetch_one(&mut *conn).await?;
                let last = max.unwrap_or(0).max(source_high_water.get(&table).copied().unwrap_or(0));
                // `setval(…, 1, false)`: nothing handed out yet, the next id is 1.
                let (value, called) = if last > 0 { (last, true) } else { (1, false) };
                sqlx::query("SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)")
                    .bind(&table)
                    .bind(&column)
                    .bind(value)
                    .bind(called)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// An identifier as SQL, double-quoted on both backends. Names come from the
/// database's own catalogue; a quote in one is doubled all the same.
pub(super) fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Tables in an order that inserts every referenced row before the rows referring to
/// it: each table after the tables its foreign keys name (itself aside), ties by name.
pub(super) fn insertion_order(tables: &[Table]) -> Result<Vec<&Table>, StoreError> {
    let mut ordered: Vec<&Table> = Vec::with_capacity(tables.len());
    let mut waiting: Vec<&Table> = tables.iter().collect();
    while !waiting.is_empty() {
        let is_placed = |name: &str| ordered.iter().any(|t| t.name == name);
        let ready = waiting.iter().position(|table| {
            table.references.iter().all(|r| r.parent_table == table.name || is_placed(&r.parent_table))
        });
        match ready {
            Some(index) => ordered.push(waiting.remove(index)),
            None => {
                let names: Vec<&str> = waiting.iter().map(|t| t.name.as_str()).collect();
                return Err(StoreError::Corrupt(format!(
                    "the foreign keys of {} refer to each other in a cycle, which transfer cannot order",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, parents: &[&str]) -> Table {
        let references = parents
            .iter()
            .map(|p| Reference { column: format!("{p}_id"), parent_table: (*p).into(), parent_column: "id".into() })
            .collect();
        Table { name: name.into(), columns: Vec::new(), references }
    }

    #[test]
    fn referenced_tables_come_first_and_a_table_may_refer_to_itself() {
        let tables = [
            table("article_columns", &["articles", "columns"]),
            table("articles", &["outlets"]),
            table("columns", &["columns"]),
            table("outlets", &[]),
        ];
        let order: Vec<&str> = insertion_order(&tables).unwrap().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(order, ["columns", "outlets", "articles", "article_columns"]);
        assert!(tables[2].self_reference().is_some());
    }

    #[test]
    fn a_cycle_between_tables_is_refused_with_their_names() {
        let error = insertion_order(&[table("a", &["b"]), table("b", &["a"])]).unwrap_err();
        assert!(error.to_string().contains("a, b"), "{error}");
    }

    #[test]
    fn declared_types_of_both_backends_are_read_by_affinity() {
        assert_eq!(value_kind("INTEGER"), Some(ValueKind::Integer));
        assert_eq!(value_kind("bigint"), Some(ValueKind::Integer));
        assert_eq!(value_kind("BIGINT"), Some(ValueKind::Integer));
        assert_eq!(value_kind("text"), Some(ValueKind::Text));
        assert_eq!(value_kind("character varying"), Some(ValueKind::Text));
        assert_eq!(value_kind("BLOB"), Some(ValueKind::Bytes));
        assert_eq!(value_kind("bytea"), Some(ValueKind::Bytes));
        assert_eq!(value_kind("REAL"), None);
        assert_eq!(value_kind("blobby"), None);
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quoted("columns"), "\"columns\"");
        assert_eq!(quoted("a\"b"), "\"a\"\"b\"");
    }
}
