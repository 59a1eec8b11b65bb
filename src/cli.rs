//! The `syndic` command: its arguments, and each subcommand handed to its module
//! (`serve`, `catalog` for columns and outlets, `sources`, `quarantine`, `partners`, `users`,
//! `audit`, `search` (reindex), `import`, `sitemap`, `transfer` for backup, restore and transfer), which calls
//! `operations` on the database directly, without the admin token. This root only
//! parses, loads the configuration and opens the database (`app::open`).

mod audit;
mod catalog;
mod import;
mod init;
mod partners;
mod progress;
mod quarantine;
mod search;
mod serve;
mod sitemap;
mod sources;
mod transfer;
mod users;

use crate::app;
use crate::config::{Config, Overrides, Secret};
use crate::domain::token;
use catalog::{ColumnCommand, OutletCommand};
use clap::{Parser, Subcommand};
use partners::PartnerCommand;
use quarantine::QuarantineCommand;
use serve::ServeArgs;
use sources::SourceCommand;
use std::path::PathBuf;
use std::process::ExitCode;
use users::UserCommand;

#[derive(Debug, Parser)]
#[command(name = "syndic", version, about = "Content syndication and feed service")]
pub struct Cli {
    /// Database URL: sqlite://PATH (default sqlite://syndic.db) or postgres://…
    #[arg(long, global = true, env = "SYNDIC_DATABASE_URL")]
    database_url: Option<String>,
    /// Seconds to wait for the database before failing with the cause (default 5).
    #[arg(long, global = true, env = "SYNDIC_DATABASE_CONNECT_TIMEOUT_SECS")]
    database_connect_timeout_secs: Option<u64>,
    /// Configuration file (default: syndic.toml in the working directory, if present).
    #[arg(long, global = true, env = "SYNDIC_CONFIG")]
    config: Option<PathBuf>,
    /// This instance's search index directory (default: beside a SQLite database, else
    /// ./syndic-search).
    #[arg(long, global = true, env = "SYNDIC_SEARCH_DIR")]
    search_dir: Option<PathBuf>,
    /// Log lines as human-readable text or as one JSON object each (for log shippers).
    #[arg(long, global = true, env = "SYNDIC_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// What governs taking articles in: where fetches may go, and what the content policy
/// holds back. Only the commands that take articles in or fetch accept them.
#[derive(Debug, Clone, clap::Args)]
struct IngestOptions {
    /// Internal networks outbound fetches may reach anyway (comma-separated CIDRs).
    #[arg(long, global = true, env = "SYNDIC_FETCH_ALLOW")]
    fetch_allow: Option<String>,
    /// Terms that hold an article in quarantine (comma-separated).
    #[arg(long, global = true, env = "SYNDIC_BLOCKED_TERMS")]
    blocked_terms: Option<String>,
    /// Link domains (and their subdomains) that hold an article in quarantine (comma-separated).
    #[arg(long, global = true, env = "SYNDIC_BLOCKED_DOMAINS")]
    blocked_domains: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write syndic.toml for a new site: its name, address, language, time zone, footer
    /// and a new admin token (asks on a terminal, reads flags otherwise).
    Init(init::InitArgs),
    #[command(flatten)]
    OnDatabase(DatabaseCommand),
}

/// The commands that open the database (and migrate it) first.
#[derive(Debug, Subcommand)]
enum DatabaseCommand {
    /// Run the web service (feeds, pages, sitemaps, APIs).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage columns.
    #[command(subcommand)]
    Column(ColumnCommand),
    /// Manage outlets and their ingest tokens.
    #[command(subcommand)]
    Outlet(OutletCommand),
    /// Manage the feeds syndic polls.
    Source {
        #[command(subcommand)]
        command: SourceCommand,
        #[command(flatten)]
        ingest: IngestOptions,
    },
    /// Review articles the content policy holds back.
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Manage partners, who read the article API.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Manage users (the people who run the portal), their roles and personal API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Read the audit log: every change people made, and logins, newest first.
    Audit(audit::AuditArgs),
    /// This instance's search index.
    #[command(subcommand)]
    Search(search::SearchCommand),
    /// Import every item of feed documents (files or URLs) once.
    Import {
        /// The outlet whose documents they are (its slug).
        #[arg(long)]
        outlet: String,
        /// A column the items go to (repeatable; the first is primary).
        #[arg(long = "column", required = true)]
        columns: Vec<String>,
        /// File paths or http(s) URLs, imported in order.
        #[arg(required = true)]
        documents: Vec<String>,
        #[command(flatten)]
        ingest: IngestOptions,
    },
    /// Write a consistent copy of the SQLite database to a file, while it serves.
    Backup(transfer::BackupArgs),
    /// Copy a backup into the configured database, which must be empty.
    Restore(transfer::RestoreArgs),
    /// Copy every table of one database into another, empty one (SQLite to PostgreSQL and back).
    Transfer(transfer::TransferArgs),
    /// Write the whole sitemap set (index, pages, article shards) into a directory, for
    /// static hosting or a CDN, at the paths the site serves them.
    Sitemap {
        /// Directory to write into; created if missing.
        #[arg(long)]
        out: PathBuf,
        /// Write gzip-compressed shards (`.xml.gz`), named so in the index.
        #[arg(long)]
        gzip: bool,
        /// Public base URL the sitemaps name (default: the configured one).
        #[arg(long, env = "SYNDIC_BASE_URL")]
        base_url: Option<String>,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve` logs what it does; the other commands print their results, and log only
    // what goes wrong.
    let serving = matches!(cli.command, Command::OnDatabase(DatabaseCommand::Serve(_)));
    init_logging(cli.log_format, if serving { "info,sqlx=warn" } else { "warn" });
    // The default multi-threaded runtime honours TOKIO_WORKER_THREADS.
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by RUST_LOG (else `default_filter`), coloured only when
/// stderr is a terminal (not in a journal, a file or a pipe).
fn init_logging(format: LogFormat, default_filter: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(false).init(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Before any database: a new site has none yet.
    let command = match cli.command {
        Command::Init(args) => return init::run(args, cli.database_url),
        Command::OnDatabase(command) => command,
    };
    let mut overrides = Overrides {
        config_file: cli.config.clone(),
        database_url: cli.database_url.clone(),
        database_connect_timeout_secs: cli.database_connect_timeout_secs,
        search_dir: cli.search_dir.clone(),
        ..Overrides::default()
    };
    let ingest = match &command {
        DatabaseCommand::Serve(args) => Some(&args.ingest),
        DatabaseCommand::Source { ingest, .. } | DatabaseCommand::Import { ingest, .. } => Some(ingest),
        _ => None,
    };
    if let Some(ingest) = ingest {
        overrides.fetch_allow = ingest.fetch_allow.clone();
        overrides.blocked_terms = ingest.blocked_terms.clone();
        overrides.blocked_domains = ingest.blocked_domains.clone();
    }
    if let DatabaseCommand::Serve(args) = &command {
        overrides.websub_hub = args.websub_hub.clone();
        overrides.indexnow_key = args.indexnow_key.clone();
        overrides.indexnow_endpoints = args.indexnow_endpoints.clone();
        overrides.baidu_push_url = args.baidu_push_url.clone();
        overrides.listen = args.listen.clone();
        overrides.base_url = args.base_url.clone();
        overrides.admin_token = args.admin_token.clone();
        overrides.rate_limit_per_minute = args.rate_limit;
        overrides.render_cache_mb = args.render_cache_mb;
        overrides.render_cache_stale_ms = args.render_cache_stale_ms;
        overrides.render_cache_coalesce_ms = args.render_cache_coalesce_ms;
        overrides.body_budget_mb = args.body_budget_mb;
        overrides.connections = args.connections.clone();
        overrides.console = args.console.clone();
        overrides.attribution = args.attribution.clone();
        overrides.demo = args.demo;
    }
    if let DatabaseCommand::Sitemap { base_url, .. } = &command {
        overrides.base_url = base_url.clone();
    }
    if let DatabaseCommand::Serve(args) = &command {
        suggest_init(cli.config.is_some() || args.demo);
    }
    // Transfer copies into the database it names; that is the one it opens and migrates.
    if let DatabaseCommand::Transfer(args) = &command {
        overrides.database_url = Some(args.to.clone());
    }
    let mut config = Config::load(&overrides)?;
    if matches!(&command, DatabaseCommand::Serve(args) if args.demo) && config.admin_token.is_none() {
        config.admin_token = Some(Secret::new(token::generate("sya_")));
        println!("admin token for this run: {}", config.admin_token.as_ref().map_or("", |t| t.expose()));
    }
    let database = app::redact_url(&config.database_url);
    let operations = app::open(config).await?;
    match command {
        DatabaseCommand::Serve(args) => serve::run(operations, args.demo).await,
        DatabaseCommand::Migrate => {
            println!("migrations applied to {database}");
            Ok(())
        }
        DatabaseCommand::Column(command) => catalog::columns(&operations, command).await,
        DatabaseCommand::Outlet(command) => catalog::outlets(&operations, command).await,
        DatabaseCommand::Source { command, .. } => sources::run(&operations, command).await,
        DatabaseCommand::Quarantine(command) => quarantine::run(&operations, command).await,
        DatabaseCommand::Partner(command) => partners::run(&operations, command).await,
        DatabaseCommand::User(command) => users::run(&operations, command).await,
        DatabaseCommand::Audit(args) => audit::run(&operations, args).await,
        DatabaseCommand::Search(command) => search::run(&operations, command).await,
        DatabaseCommand::Import { outlet, columns, documents, .. } => {
            import::run(&operations, &outlet, &columns, &documents).await
        }
        DatabaseCommand::Sitemap { out, gzip, .. } => sitemap::export(&operations, &out, gzip).await,
        DatabaseCommand::Backup(args) => transfer::backup(&operations, &args).await,
        DatabaseCommand::Restore(args) => transfer::restore(&operations, &args).await,
        DatabaseCommand::Transfer(args) => transfer::transfer(&operations, &args).await,
    }
}

/// A `serve` on a terminal with no configuration file to read (and no demo) is most
/// likely a new site: say how to describe it.
fn suggest_init(configured: bool) {
    use std::io::IsTerminal;
    if !configured && !std::path::Path::new("syndic.toml").exists() && std::io::stderr().is_terminal() {
        eprintln!(
            "no syndic.toml here: the site runs on defaults and the environment. \
             `syndic init` writes one for your site (name, address, language, time zone, admin token)."
        );
    }
}

/// Errors that name what was missing: `column 'nope' not found` where the layers below
/// say only `column not found`, since they do not know which name the user typed.
trait NameMissing<T> {
    fn naming(self, what: impl FnOnce() -> String) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> NameMissing<T> for Result<T, E> {
    fn naming(self, what: impl FnOnce() -> String) -> anyhow::Result<T> {
        self.map_err(|error| {
            let error = error.into();
            let missing = error.chain().any(|cause| {
                matches!(cause.downcast_ref(), Some(crate::catalog::CatalogError::NotFound(_)))
                    || matches!(cause.downcast_ref(), Some(crate::store::StoreError::NotFound(_)))
            });
            if missing {
                anyhow::anyhow!("{} not found", what())
            } else {
                error
            }
        })
    }
}
