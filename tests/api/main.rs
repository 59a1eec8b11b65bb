//! Integration tests: the real HTTP server on a random port against a real database,
//! each story run on SQLite and on PostgreSQL (when SYNDIC_TEST_POSTGRES_URL is set).

mod helpers;
mod hostile;
mod mock;

mod admin;
mod announce;
mod archives;
mod batch;
mod cache;
mod connections;
mod feeds;
mod import;
mod instances;
mod operations;
mod pages;
mod partners;
mod push;
mod quarantine;
mod rights;
mod sitemaps;
mod sources;
mod websub;
mod withdrawals;
