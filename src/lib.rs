//! syndic: a content syndication and feed service.
//!
//! Articles flow ingest → store → publish, with HTTP as a thin edge (see
//! ARCHITECTURE.md): `ingest` validates and sanitises what outlets send, `store` keeps
//! it in SQLite or PostgreSQL, `publish` renders feeds, pages and sitemaps, and `http`
//! routes requests to them. `operations` is the one layer the HTTP API and the CLI
//! call for every read and write; `app` wires a running syndic once, for the binary
//! and the tests alike.

pub mod app;
pub mod assemble;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod notify;
pub mod operations;
pub mod publish;
pub mod search;
pub mod store;
