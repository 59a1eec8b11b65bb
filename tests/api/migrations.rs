//! A database migrated with the first text of migrations 0011 and 0012 (edited after
//! release, in 9b75af0) starts: its backfilled tables are filled again by the corrected
//! backfill and the current checksums recorded, instead of sqlx refusing to start.

use crate::helpers::{numbered_article, TestApp};
use sha2::{Digest, Sha384};
use syndic::store::Backend;

crate::stories!(a_database_migrated_with_the_first_0011_and_0012_starts_repaired);

/// The SHA-384 of the first text of 0011 and 0012 (the same on both backends).
const FIRST_CHECKSUMS: [(i64, &str); 2] = [
    (11, "698e2c9dd77c30912b232a8c2419555051e1670b740ec0b45eda963cd13c7d94bdf788a50743a08d83a2107fdd477f89"),
    (12, "4827d426e27e5ad108694d4e6ec08256300ca777661095785f1d4b36d99cb9b38cc3e4266440bc03a7df2b9d226f1554"),
];

/// Public articles per outlet and per sitemap block, as the two tables hold them.
async fn counts(app: &TestApp) -> (i64, i64) {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&app.config.database_url).await.unwrap();
    let outlets: i64 = sqlx::query_scalar("SELECT CAST(SUM(listed_count) AS BIGINT) FROM outlet_stats")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let blocks: i64 = sqlx::query_scalar("SELECT CAST(SUM(listed_count) AS BIGINT) FROM sitemap_blocks")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    (outlets, blocks)
}

async fn recorded_checksum(app: &TestApp, version: i64) -> Vec<u8> {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&app.config.database_url).await.unwrap();
    sqlx::query_scalar("SELECT checksum FROM _sqlx_migrations WHERE version = $1")
        .bind(version)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

async fn a_database_migrated_with_the_first_0011_and_0012_starts_repaired(app: TestApp) {
    let token = app.with_example_catalog().await;
    for n in 1..=3 {
        assert_eq!(app.push(&token, &numbered_article(n, "party-96")).await.status(), 201);
    }
    let kept = counts(&app).await;
    assert_eq!(kept, (3, 3));
    // As such a database looks: the first checksums, and counts the first backfill made.
    for (version, checksum) in FIRST_CHECKSUMS {
        let literal = match app.store.backend() {
            Backend::Sqlite => format!("X'{checksum}'"),
            Backend::Postgres => format!("decode('{checksum}', 'hex')"),
        };
        app.execute_sql(&format!("UPDATE _sqlx_migrations SET checksum = {literal} WHERE version = {version}")).await;
    }
    app.execute_sql("UPDATE outlet_stats SET listed_count = 7").await;
    app.execute_sql("UPDATE sitemap_blocks SET listed_count = 7").await;

    app.store.migrate().await.expect("the database starts");
    assert_eq!(counts(&app).await, kept, "the corrected backfill ran again");
    let files = match app.store.backend() {
        Backend::Sqlite => [
            &include_bytes!("../../migrations/sqlite/0011_outlet_stats.sql")[..],
            &include_bytes!("../../migrations/sqlite/0012_sitemap_blocks.sql")[..],
        ],
        Backend::Postgres => [
            &include_bytes!("../../migrations/postgres/0011_outlet_stats.sql")[..],
            &include_bytes!("../../migrations/postgres/0012_sitemap_blocks.sql")[..],
        ],
    };
    for (version, file) in [11, 12].into_iter().zip(files) {
        assert_eq!(recorded_checksum(&app, version).await, Sha384::digest(file).to_vec(), "migration {version}");
    }
    // And it starts again, with nothing left to repair.
    app.store.migrate().await.unwrap();
}
