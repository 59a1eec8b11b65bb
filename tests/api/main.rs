//! Integration tests: the real HTTP server on a random port against a real database,
//! each story run on SQLite and on PostgreSQL (when SYNDIC_TEST_POSTGRES_URL is set).

mod browser;
#[path = "../support/corpus.rs"]
mod corpus;
mod helpers;
mod hostile;
mod mock;

mod admin;
mod aliases;
mod announce;
mod archives;
mod articles;
mod attribution;
mod audit;
mod batch;
mod cache;
mod connections;
mod console_articles;
mod console_audit;
mod console_catalog;
mod console_sessions;
mod content_policy;
mod corrections;
mod dashboard;
mod described;
mod documents;
mod domains;
mod duplicates;
mod feeds;
mod forbidden;
mod headers;
mod html_sources;
mod identity;
mod images;
mod import;
mod instances;
mod isolation;
mod licensed;
mod migrations;
mod mixed;
mod operations;
mod pages;
mod partners;
mod push;
mod quarantine;
mod review;
mod rights;
mod search;
mod sitemaps;
mod sources;
mod transfer;
mod users;
mod websub;
mod websub_subscriber;
mod withdrawals;
