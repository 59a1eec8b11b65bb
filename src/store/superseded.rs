//! Migrations whose text changed after they had been applied somewhere. sqlx records
//! each applied migration's checksum and refuses to start when a file no longer matches
//! it, so a database migrated with the first text would be locked out by the second.
//!
//! Migrations 0011 and 0012 were edited (commit 9b75af0) to correct what their backfill
//! counted as public; their tables and indexes did not change. A database that still
//! records the first text's checksum is repaired here, before sqlx checks: the tables
//! are filled again by the corrected backfill, and the current checksum recorded, in one
//! transaction. No other migration may ever be edited (`tests/migrations.rs` pins them).

use super::{Backend, StoreError};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

/// A migration edited after release: its version, the table its backfill fills, and the
/// SHA-384 of the text first applied (the same file on both backends).
struct Edited {
    version: i64,
    table: &'static str,
    first_checksum: &'static str,
}

const EDITED: [Edited; 2] = [
    Edited {
        version: 11,
        table: "outlet_stats",
        first_checksum:
            "698e2c9dd77c30912b232a8c2419555051e1670b740ec0b45eda963cd13c7d94bdf788a50743a08d83a2107fdd477f89",
    },
    Edited {
        version: 12,
        table: "sitemap_blocks",
        first_checksum:
            "4827d426e27e5ad108694d4e6ec08256300ca777661095785f1d4b36d99cb9b38cc3e4266440bc03a7df2b9d226f1554",
    },
];

/// Repairs every edited migration this database recorded with its first checksum.
pub(super) async fn repair(pool: &AnyPool, backend: Backend, migrator: &Migrator) -> Result<(), StoreError> {
    if !has_migration_table(pool, backend).await? {
        return Ok(());
    }
    for edited in &EDITED {
        let recorded: Option<Vec<u8>> = sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = $1")
            .bind(edited.version)
            .fetch_optional(pool)
            .await?;
        if recorded.is_some_and(|checksum| hex::encode(checksum) == edited.first_checksum) {
            let migration = migrator
                .iter()
                .find(|m| m.version == edited.version)
                .ok_or_else(|| StoreError::Corrupt(format!("migration {} is missing", edited.version)))?;
            let mut tx = pool.begin().await?;
            tx.execute(format!("DELETE FROM {}", edited.table).as_str()).await?;
            for statement in backfill(&migration.sql, edited.table) {
                tx.execute(statement.as_str()).await?;
            }
            sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = $2")
                .bind(migration.checksum.to_vec())
                .bind(edited.version)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(
                version = edited.version,
                table = edited.table,
                "edited migration repaired: backfill run again"
            );
        }
    }
    Ok(())
}

async fn has_migration_table(pool: &AnyPool, backend: Backend) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        Backend::Postgres => "SELECT COUNT(*) FROM pg_tables WHERE tablename = '_sqlx_migrations'",
    };
    Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await? > 0)
}

/// The statements of a migration that fill `table`.
fn backfill(sql: &str, table: &str) -> Vec<String> {
    let without_comments: String =
        sql.lines().filter(|line| !line.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    let insert = format!("INSERT INTO {table} ");
    without_comments.split(';').map(str::trim).filter(|s| s.starts_with(&insert)).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backfill_is_the_statement_that_fills_the_table() {
        let statements = backfill(include_str!("../../migrations/sqlite/0011_outlet_stats.sql"), "outlet_stats");
        assert_eq!(statements.len(), 1);
        assert!(statements[0].starts_with("INSERT INTO outlet_stats (outlet_id, listed_count)"));
        assert!(statements[0].ends_with("GROUP BY o.id"));
        let statements = backfill(include_str!("../../migrations/postgres/0012_sitemap_blocks.sql"), "sitemap_blocks");
        assert_eq!(statements.len(), 1);
    }
}
