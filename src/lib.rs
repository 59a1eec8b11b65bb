//! syndic: a content syndication and feed service.
//!
//! Articles flow ingest → store → publish, with HTTP as a thin edge (see
//! ARCHITECTURE.md): `ingest` validates and sanitises what outlets send, `store` keeps
//! it in SQLite or PostgreSQL, `publish` renders feeds, pages and sitemaps, and `http`
//! routes requests to them. `catalog` manages columns and outlets for both the admin
//! API and the CLI.

pub mod assemble;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod notify;
pub mod publish;
pub mod store;
