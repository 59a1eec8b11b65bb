//! The `syndic` command: `serve`, `migrate`, and catalog management (`column`,
//! `outlet`) that works directly on the database, without the admin token.

use crate::catalog::{self, ColumnEdit, ColumnForm, OutletEdit, OutletForm};
use crate::config::{Config, Overrides, Secret};
use crate::domain::token;
use crate::http::{self, AppState};
use crate::publish::{FeedFormat, FeedKind, Site};
use crate::store::Store;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod transfer;

#[derive(Debug, Parser)]
#[command(name = "syndic", version, about = "Content syndication and feed service")]
pub struct Cli {
    /// Database URL: sqlite://PATH (default sqlite://syndic.db) or postgres://…
    #[arg(long, global = true, env = "SYNDIC_DATABASE_URL")]
    database_url: Option<String>,
    /// Configuration file (default: syndic.toml in the working directory, if present).
    #[arg(long, global = true, env = "SYNDIC_CONFIG")]
    config: Option<PathBuf>,
    /// Internal networks outbound fetches may reach anyway (comma-separated CIDRs).
    #[arg(long, global = true, env = "SYNDIC_FETCH_ALLOW")]
    fetch_allow: Option<String>,
    /// Terms that hold an article in quarantine (comma-separated).
    #[arg(long, global = true, env = "SYNDIC_BLOCKED_TERMS")]
    blocked_terms: Option<String>,
    /// Link domains (and their subdomains) that hold an article in quarantine (comma-separated).
    #[arg(long, global = true, env = "SYNDIC_BLOCKED_DOMAINS")]
    blocked_domains: Option<String>,
    /// Log lines as human-readable text or as one JSON object each (for log shippers).
    #[arg(long, global = true, env = "SYNDIC_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service (feeds, pages, sitemaps, APIs).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage columns.
    #[command(subcommand)]
    Column(ColumnCommand),
    /// Manage outlets and their ingest tokens.
    #[command(subcommand)]
    Outlet(OutletCommand),
    /// Manage the feeds syndic polls.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Review articles the content policy holds back.
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// Manage partners, who read the article API.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Import every item of feed documents (files or URLs) once.
    Import {
        #[arg(long)]
        outlet: String,
        /// A column the items go to (repeatable; the first is primary).
        #[arg(long = "column", required = true)]
        columns: Vec<String>,
        /// File paths or http(s) URLs, imported in order.
        #[arg(required = true)]
        documents: Vec<String>,
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

#[derive(Debug, Subcommand)]
enum PartnerCommand {
    /// Create a partner; prints its read token once.
    Add {
        #[arg(long)]
        name: String,
        /// A column it may read, with its sub-columns (repeatable; none: every column).
        #[arg(long = "column")]
        columns: Vec<String>,
    },
    /// List partners.
    List,
    /// Revoke a partner's token.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
enum QuarantineCommand {
    /// List held articles with the term or domain that matched.
    List,
    /// Publish a held article as it stands.
    Release { id: i64 },
    /// Delete a held article.
    Reject { id: i64 },
}

#[derive(Debug, Subcommand)]
enum SourceCommand {
    /// Subscribe an outlet's feed into columns.
    Add {
        #[arg(long)]
        outlet: String,
        #[arg(long)]
        url: String,
        /// A column its items go to (repeatable; the first is primary).
        #[arg(long = "column", required = true)]
        columns: Vec<String>,
        /// Seconds between polls (default 900).
        #[arg(long)]
        interval: Option<i64>,
    },
    /// List sources with their status.
    List,
    /// Change a source's address, interval or routing (routing options given replace
    /// the source's routing of that kind).
    Edit {
        id: i64,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        interval: Option<i64>,
        #[arg(long = "column")]
        columns: Vec<String>,
        /// A routing rule MATCH:VALUE:COLUMN, MATCH being `category` or `keyword` (repeatable).
        #[arg(long = "route")]
        routes: Vec<String>,
        /// Take only items containing one of these keywords (repeatable).
        #[arg(long)]
        include: Vec<String>,
        /// Leave out items containing this keyword (repeatable).
        #[arg(long)]
        exclude: Vec<String>,
    },
    /// Stop polling a source.
    Remove { id: i64 },
    /// Poll a source now, even during backoff.
    Poll { id: i64 },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "SYNDIC_LISTEN")]
    listen: Option<String>,
    /// Public base URL of the site, used in every feed, page and sitemap.
    #[arg(long, env = "SYNDIC_BASE_URL")]
    base_url: Option<String>,
    /// Fill an empty database with demo outlets, columns and articles.
    #[arg(long)]
    demo: bool,
    /// Ingest requests per minute allowed to each outlet token (default: no limit).
    #[arg(long, env = "SYNDIC_RATE_LIMIT")]
    rate_limit: Option<u32>,
    /// Memory for rendered feeds, pages and sitemaps, in MiB (default 64; 0 turns the cache off).
    #[arg(long, env = "SYNDIC_RENDER_CACHE_MB")]
    render_cache_mb: Option<usize>,
    /// Request-body bytes that pushes, batches and feed documents may hold at once, in MiB (default 256).
    #[arg(long, env = "SYNDIC_BODY_BUDGET_MB")]
    body_budget_mb: Option<usize>,
    /// Admin API token (prefer the environment variable to keep it out of `ps`).
    #[arg(long, env = "SYNDIC_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// An external WebSub hub to name in feeds and ping on changes (default: syndic's own, /websub).
    #[arg(long, env = "SYNDIC_WEBSUB_HUB")]
    websub_hub: Option<String>,
    /// IndexNow key: serves /{key}.txt and announces changed pages (default: off).
    #[arg(long, env = "SYNDIC_INDEXNOW_KEY", hide_env_values = true)]
    indexnow_key: Option<String>,
    /// IndexNow endpoints, comma-separated (default https://api.indexnow.org/indexnow).
    #[arg(long, env = "SYNDIC_INDEXNOW_ENDPOINTS")]
    indexnow_endpoints: Option<String>,
    /// Baidu link push URL, http://data.zz.baidu.com/urls?site=…&token=… (default: off).
    #[arg(long, env = "SYNDIC_BAIDU_PUSH_URL", hide_env_values = true)]
    baidu_push_url: Option<String>,
    #[command(flatten)]
    connections: crate::config::ConnectionSettings,
}

#[derive(Debug, Subcommand)]
enum ColumnCommand {
    /// Create a column.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        description: Option<String>,
        /// Slug of the parent column.
        #[arg(long)]
        parent: Option<String>,
    },
    /// List columns as a tree.
    List,
    /// Change a column.
    Edit {
        slug: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, conflicts_with = "clear_description")]
        description: Option<String>,
        #[arg(long)]
        clear_description: bool,
        /// Move under this column.
        #[arg(long, conflicts_with = "root")]
        parent: Option<String>,
        /// Make it a top-level column.
        #[arg(long)]
        root: bool,
    },
    /// Remove a column that has no articles and no sub-columns.
    Remove { slug: String },
}

#[derive(Debug, Subcommand)]
enum OutletCommand {
    /// Create an outlet; prints its ingest token once.
    Add {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        homepage: String,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// List outlets.
    List,
    /// Change an outlet.
    Edit {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        homepage: Option<String>,
        #[command(flatten)]
        terms: OutletTerms,
    },
    /// Issue an additional ingest token for an outlet; prints it once.
    Token { slug: String },
    /// List an outlet's tokens (ids and dates, never their values).
    Tokens { slug: String },
    /// Revoke one of an outlet's tokens (rotation: issue a new one, then revoke the old).
    Revoke { slug: String, token_id: i64 },
}

/// An outlet's optional settings, given alike when adding and when editing.
#[derive(Debug, Args)]
struct OutletTerms {
    #[arg(long)]
    language: Option<String>,
    /// IANA time zone its naive timestamps are in (default UTC).
    #[arg(long)]
    timezone: Option<String>,
    #[arg(long)]
    rights: Option<String>,
    /// self | original | noindex
    #[arg(long)]
    indexing: Option<String>,
    /// What public feeds carry: full | summary
    #[arg(long)]
    feed_content: Option<String>,
    /// What partners get: full | summary | none
    #[arg(long)]
    partner_content: Option<String>,
    /// A domain its original URLs may be on, with its subdomains (repeatable; default: the
    /// homepage's registrable domain); `any` lifts the restriction.
    #[arg(long = "domain", value_name = "DOMAIN")]
    domains: Vec<String>,
}

impl OutletTerms {
    /// The domains given, as the catalog takes them; `None` when none were.
    fn domains(&self) -> Option<crate::catalog::DomainsForm> {
        match self.domains.as_slice() {
            [] => None,
            [only] if only.trim() == "any" => Some(crate::catalog::DomainsForm::Keyword(only.clone())),
            names => Some(crate::catalog::DomainsForm::Names(names.to_vec())),
        }
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
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

/// Logs go to stderr, filtered by RUST_LOG (default: info, sqlx warnings only).
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(false).init(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Transfer names both its databases; the configured one is not opened.
    if let Command::Transfer(args) = &cli.command {
        return transfer::transfer(args).await;
    }
    let mut overrides = Overrides {
        config_file: cli.config.clone(),
        database_url: cli.database_url.clone(),
        fetch_allow: cli.fetch_allow.clone(),
        blocked_terms: cli.blocked_terms.clone(),
        blocked_domains: cli.blocked_domains.clone(),
        ..Overrides::default()
    };
    if let Command::Serve(args) = &cli.command {
        overrides.websub_hub = args.websub_hub.clone();
        overrides.indexnow_key = args.indexnow_key.clone();
        overrides.indexnow_endpoints = args.indexnow_endpoints.clone();
        overrides.baidu_push_url = args.baidu_push_url.clone();
        overrides.listen = args.listen.clone();
        overrides.base_url = args.base_url.clone();
        overrides.admin_token = args.admin_token.clone();
        overrides.rate_limit_per_minute = args.rate_limit;
        overrides.render_cache_mb = args.render_cache_mb;
        overrides.body_budget_mb = args.body_budget_mb;
        overrides.connections = args.connections.clone();
        overrides.demo = args.demo;
    }
    if let Command::Sitemap { base_url, .. } = &cli.command {
        overrides.base_url = base_url.clone();
    }
    let config = Config::load(&overrides)?;
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("cannot open database {}", redact_url(&config.database_url)))?;
    store.migrate().await.context("database migration failed")?;
    match cli.command {
        Command::Serve(args) => serve(store, config, args.demo).await,
        Command::Migrate => {
            println!("migrations applied to {}", redact_url(&config.database_url));
            Ok(())
        }
        Command::Column(command) => column(&store, command).await,
        Command::Outlet(command) => outlet(&store, command).await,
        Command::Source(command) => source(&store, &config, command).await,
        Command::Quarantine(command) => quarantine(&store, command).await,
        Command::Partner(command) => partner(&store, command).await,
        Command::Import { outlet, columns, documents } => import(&store, &config, &outlet, &columns, &documents).await,
        Command::Sitemap { out, gzip, .. } => export_sitemaps(&store, &config, &out, gzip).await,
        Command::Backup(args) => transfer::backup(&store, &args).await,
        Command::Restore(args) => transfer::restore(&store, &args).await,
        Command::Transfer(_) => unreachable!("transfer runs before the configured database is opened"),
    }
}

async fn serve(store: Store, mut config: Config, demo: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    if demo {
        if config.admin_token.is_none() {
            config.admin_token = Some(Secret::new(token::generate("sya_")));
            println!("admin token for this run: {}", config.admin_token.as_ref().map_or("", |t| t.expose()));
        }
        let pipeline = crate::ingest::Pipeline::new(store.clone(), config.policy.clone());
        match crate::demo::load_if_empty(&pipeline).await? {
            Some(loaded) => {
                println!("demo content loaded: {} articles", loaded.articles);
                for (slug, token) in &loaded.tokens {
                    println!("  ingest token of outlet {slug}: {token}");
                }
            }
            None => println!("database already has content; demo content not loaded"),
        }
        print_urls(&Site::new(&config.base_url, config.site.clone(), config.notify.websub_hub.as_deref()));
    }
    if config.admin_token.is_none() {
        tracing::warn!("no admin token configured: the admin API is disabled (set SYNDIC_ADMIN_TOKEN)");
    }
    tracing::info!(listen = %config.listen, base_url = %config.base_url, "syndic is serving");
    let state = AppState::new(store.clone(), config);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let stopped = move || {
        let mut stopping = stopping.clone();
        async move {
            let _ = stopping.wait_for(|stop| *stop).await;
        }
    };
    let scheduler =
        tokio::spawn(crate::ingest::poll::run_scheduler(state.pipeline.clone(), state.fetcher.clone(), stopped()));
    let notifier = tokio::spawn(state.notifier().run(stopped()));
    // Stops accepting connections on SIGTERM or Ctrl-C and answers what is in flight.
    http::serve(listener, state, shutdown_signal()).await;
    let _ = stop.send(true);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        let _ = tokio::join!(scheduler, notifier);
    });
    if drained.await.is_err() {
        tracing::warn!(
            "polls or deliveries still running after {DRAIN_TIMEOUT:?}; their leases let another run retry them"
        );
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// How long polls and deliveries in flight may take to finish at shutdown.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn print_urls(site: &Site) {
    println!("open:");
    println!("  home            {}", site.home_url());
    println!("  a column        {}", site.column_url("party-96"));
    println!("  the example     {}", site.article_url(1));
    for format in FeedFormat::ALL {
        println!("  site {:<10} {}", format.label(), FeedKind::Site.feed_url(site, format));
    }
    println!("  column RSS      {}", FeedKind::Column("zhuanti".into()).feed_url(site, FeedFormat::Rss));
    println!("  sitemap         {}", site.sitemap_index_url());
    println!("  robots.txt      {}/robots.txt", site.base_url);
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn column(store: &Store, command: ColumnCommand) -> anyhow::Result<()> {
    match command {
        ColumnCommand::Add { slug, title, description, parent } => {
            let form = ColumnForm { slug: Some(slug), title: Some(title), description, parent };
            let column = catalog::add_column(store, form).await?;
            println!("column {} created", column.slug);
        }
        ColumnCommand::List => {
            let tree = store.column_tree().await?;
            let mut stack: Vec<(usize, &crate::domain::Column)> = tree.roots().map(|c| (0, c)).collect();
            stack.reverse();
            while let Some((depth, column)) = stack.pop() {
                println!("{}{}\t{}", "  ".repeat(depth), column.slug, column.title);
                let mut children: Vec<_> = tree.children(column.id).map(|c| (depth + 1, c)).collect();
                children.reverse();
                stack.extend(children);
            }
        }
        ColumnCommand::Edit { slug, title, description, clear_description, parent, root } => {
            let edit = ColumnEdit {
                title,
                description: if clear_description { Some(None) } else { description.map(Some) },
                parent: if root { Some(None) } else { parent.map(Some) },
            };
            let column = catalog::edit_column(store, &slug, edit).await?;
            println!("column {} updated", column.slug);
        }
        ColumnCommand::Remove { slug } => {
            catalog::remove_column(store, &slug).await?;
            println!("column {slug} removed");
        }
    }
    Ok(())
}

async fn outlet(store: &Store, command: OutletCommand) -> anyhow::Result<()> {
    match command {
        OutletCommand::Add { slug, name, homepage, terms } => {
            let form = OutletForm {
                domains: terms.domains(),
                slug: Some(slug),
                name: Some(name),
                homepage: Some(homepage),
                language: terms.language,
                timezone: terms.timezone,
                rights: terms.rights,
                indexing: terms.indexing,
                feed_content: terms.feed_content,
                partner_content: terms.partner_content,
            };
            let (outlet, token) = catalog::add_outlet(store, form).await?;
            println!("outlet {} created", outlet.slug);
            println!("ingest token (shown only now): {token}");
        }
        OutletCommand::List => {
            for o in store.list_outlets().await? {
                let domains = o.domains.effective(&o.homepage).map_or("any".to_owned(), |d| d.join(","));
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{domains}",
                    o.slug,
                    o.name,
                    o.homepage,
                    o.timezone.name(),
                    o.indexing.as_str()
                );
            }
        }
        OutletCommand::Edit { slug, name, homepage, terms } => {
            let edit = OutletEdit {
                domains: terms.domains().map(Some),
                name,
                homepage,
                language: terms.language.map(Some),
                timezone: terms.timezone,
                rights: terms.rights.map(Some),
                indexing: terms.indexing,
                feed_content: terms.feed_content,
                partner_content: terms.partner_content,
            };
            let outlet = catalog::edit_outlet(store, &slug, edit).await?;
            println!("outlet {} updated", outlet.slug);
        }
        OutletCommand::Tokens { slug } => {
            let outlet = store.outlet_by_slug(&slug).await?;
            for t in store.outlet_tokens(outlet.id).await? {
                let state =
                    t.revoked_at.map_or("live".to_owned(), |at| format!("revoked {}", crate::publish::rfc3339(at)));
                println!("{}\tcreated {}\t{state}", t.id, crate::publish::rfc3339(t.created_at));
            }
        }
        OutletCommand::Revoke { slug, token_id } => {
            catalog::revoke_outlet_token(store, &slug, token_id).await?;
            println!("token {token_id} of {slug} revoked");
        }
        OutletCommand::Token { slug } => {
            let token = catalog::issue_outlet_token(store, &slug).await?;
            println!("new ingest token for {slug} (shown only now): {token}");
        }
    }
    Ok(())
}

async fn source(store: &Store, config: &Config, command: SourceCommand) -> anyhow::Result<()> {
    match command {
        SourceCommand::Add { outlet, url, columns, interval } => {
            let form = crate::catalog::SourceForm {
                outlet: Some(outlet),
                url: Some(url),
                columns: Some(columns),
                interval_secs: interval,
                ..crate::catalog::SourceForm::default()
            };
            let source = catalog::add_source(store, form).await?;
            println!("source {} added: {}", source.id, source.url);
        }
        SourceCommand::List => {
            for s in store.list_sources().await? {
                let status = &s.status;
                println!(
                    "{}\t{}\t{}\tstatus={}\tnew={} updated={} refused={}\tfailures={}\tnext={}{}",
                    s.id,
                    s.outlet_slug,
                    s.url,
                    status.last_status.map_or("-".to_owned(), |c| c.to_string()),
                    status.items_new,
                    status.items_updated,
                    status.items_refused,
                    status.consecutive_failures,
                    crate::publish::rfc3339(status.next_fetch_at),
                    status.last_error.as_deref().map(|e| format!("\terror={e}")).unwrap_or_default(),
                );
            }
        }
        SourceCommand::Edit { id, url, interval, columns, routes, include, exclude } => {
            let routes = routes
                .iter()
                .map(|r| {
                    let (matching, rest) =
                        r.split_once(':').ok_or_else(|| anyhow::anyhow!("--route {r}: use MATCH:VALUE:COLUMN"))?;
                    let (value, column) =
                        rest.rsplit_once(':').ok_or_else(|| anyhow::anyhow!("--route {r}: use MATCH:VALUE:COLUMN"))?;
                    Ok(crate::catalog::RouteForm {
                        matching: matching.into(),
                        value: value.into(),
                        column: column.into(),
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let given = |list: Vec<String>| (!list.is_empty()).then_some(list);
            let edit = crate::catalog::SourceEdit {
                url,
                interval_secs: interval,
                columns: given(columns),
                routes: (!routes.is_empty()).then_some(routes),
                include: given(include),
                exclude: given(exclude),
            };
            let source = catalog::edit_source(store, id, edit).await?;
            println!("source {} updated: {}", source.id, source.url);
        }
        SourceCommand::Remove { id } => {
            store.delete_source(id).await?;
            println!("source {id} removed");
        }
        SourceCommand::Poll { id } => {
            let source = store.source(id).await?.ok_or_else(|| anyhow::anyhow!("source {id} not found"))?;
            let fetcher = crate::ingest::fetch::Fetcher::new(&config.base_url, config.fetch_allow.clone());
            let pipeline = crate::ingest::Pipeline::new(store.clone(), config.policy.clone());
            let report = crate::ingest::poll::poll_source(&pipeline, &fetcher, &source).await?;
            match report.error {
                Some(error) => println!("source {id} failed: {error}"),
                None => println!(
                    "source {id} polled: status {} — {} seen, {} new, {} updated, {} refused",
                    report.status.unwrap_or_default(),
                    report.seen,
                    report.new,
                    report.updated,
                    report.refused
                ),
            }
        }
    }
    Ok(())
}

async fn import(
    store: &Store,
    config: &Config,
    outlet: &str,
    columns: &[String],
    documents: &[String],
) -> anyhow::Result<()> {
    let outlet = store.outlet_by_slug(outlet).await.with_context(|| format!("outlet {outlet}"))?;
    let tree = store.column_tree().await?;
    let column_ids = columns
        .iter()
        .map(|slug| tree.by_slug(slug).map(|c| c.id).ok_or_else(|| anyhow::anyhow!("unknown column '{slug}'")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let routing = crate::domain::source::Routing { columns: column_ids, ..Default::default() };
    let pipeline = crate::ingest::Pipeline::new(store.clone(), config.policy.clone());
    let mut progress = Progress::on_terminal();
    let mut total = crate::ingest::Tally::default();
    for (done, document) in documents.iter().enumerate() {
        let (bytes, context) = read_document(config, &outlet, document).await?;
        let tally = pipeline.import_document(&outlet, &routing, bytes, &context).await?;
        for warning in &tally.warnings {
            progress.println(&format!("warning, {document}: {warning}"));
        }
        for item in &tally.items {
            if let Err(reason) = &item.outcome {
                progress.println(&format!("refused {}: {reason}", item.link.as_deref().unwrap_or("(no link)")));
            }
        }
        total.add(tally);
        progress.show(&format!("{}/{} documents, {} items", done + 1, documents.len(), total.items.len()));
    }
    progress.clear();
    println!(
        "{} items: {} new, {} updated, {} refused, {} held in quarantine",
        total.items.len(),
        total.new,
        total.updated,
        total.refused,
        total.quarantined
    );
    Ok(())
}

/// A feed document from a file or an http(s) URL, with what parsing needs to know of it.
async fn read_document(
    config: &Config,
    outlet: &crate::domain::Outlet,
    document: &str,
) -> anyhow::Result<(Vec<u8>, crate::ingest::feed::Context)> {
    use crate::ingest::{feed, fetch};
    if document.starts_with("http://") || document.starts_with("https://") {
        let fetcher = fetch::Fetcher::new(&config.base_url, config.fetch_allow.clone());
        let fetched = fetch::fetch(&fetcher, document, &fetch::Validators::default()).await?;
        let content_type = fetched.headers.get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let context = feed::Context { document_url: Some(fetched.url), content_type, zone: outlet.timezone };
        Ok((fetched.body.unwrap_or_default(), context))
    } else {
        let bytes = std::fs::read(document).with_context(|| format!("cannot read {document}"))?;
        Ok((bytes, feed::Context { document_url: None, content_type: None, zone: outlet.timezone }))
    }
}

async fn export_sitemaps(store: &Store, config: &Config, out: &Path, gzip: bool) -> anyhow::Result<()> {
    let site = Site::new(&config.base_url, config.site.clone(), config.notify.websub_hub.as_deref());
    let assembler = crate::assemble::Assembler { store, site: &site, config };
    let export = crate::assemble::SitemapExport { assembler, dir: out, gzip };
    let started = std::time::Instant::now();
    let mut progress = Progress::on_terminal();
    let report = export
        .run(|r| progress.show(&format!("{} URLs in {} files, {:.1} MB", r.urls, r.files, r.bytes as f64 / 1e6)))
        .await?;
    progress.clear();
    println!(
        "{} URLs in {} files ({:.1} MB) under {} in {:.2} s; index: {}",
        report.urls,
        report.files,
        report.bytes as f64 / 1e6,
        out.display(),
        started.elapsed().as_secs_f64(),
        out.join("sitemap.xml").display()
    );
    Ok(())
}

/// A one-line progress display on stderr, redrawn at most ten times a second; silent
/// when stderr is not a terminal (logs and pipes get only the final summary).
struct Progress {
    terminal: bool,
    last: Option<std::time::Instant>,
}

impl Progress {
    fn on_terminal() -> Progress {
        use std::io::IsTerminal;
        Progress { terminal: std::io::stderr().is_terminal(), last: None }
    }

    fn show(&mut self, line: &str) {
        let due = self.last.is_none_or(|at| at.elapsed() >= std::time::Duration::from_millis(100));
        if self.terminal && due {
            eprint!("\r\x1b[2K{line}");
            self.last = Some(std::time::Instant::now());
        }
    }

    /// Prints a line of its own above the progress line.
    fn println(&mut self, line: &str) {
        self.clear();
        println!("{line}");
    }

    fn clear(&mut self) {
        if self.terminal && self.last.take().is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}

async fn quarantine(store: &Store, command: QuarantineCommand) -> anyhow::Result<()> {
    match command {
        QuarantineCommand::List => {
            for a in store.quarantined_articles().await? {
                println!("{}\t{}\t{}\t{}", a.id, a.outlet_slug, a.original_url, a.reason);
            }
        }
        QuarantineCommand::Release { id } => {
            store.release_article(id).await?;
            println!("article {id} released");
        }
        QuarantineCommand::Reject { id } => {
            store.reject_article(id).await?;
            println!("article {id} rejected");
        }
    }
    Ok(())
}

async fn partner(store: &Store, command: PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Add { name, columns } => {
            let form = catalog::PartnerForm { name: Some(name), columns: Some(columns) };
            let (partner, token) = catalog::add_partner(store, form).await?;
            println!("partner {} created", partner.id);
            println!("read token (shown only now): {token}");
        }
        PartnerCommand::List => {
            let tree = store.column_tree().await?;
            for p in store.partners().await? {
                let columns: Vec<&str> =
                    p.column_ids.iter().filter_map(|id| tree.get(*id)).map(|c| c.slug.as_str()).collect();
                let state = if p.revoked_at.is_some() { "revoked" } else { "active" };
                println!(
                    "{}	{}	{}	{state}",
                    p.id,
                    p.name,
                    if columns.is_empty() { "*".into() } else { columns.join(",") }
                );
            }
        }
        PartnerCommand::Revoke { id } => {
            store.revoke_partner(id).await?;
            println!("partner {id} revoked");
        }
    }
    Ok(())
}

/// A database URL with any password replaced, for messages.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
