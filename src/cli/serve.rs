//! `syndic serve`: the web service, with the demo content on request; the wiring
//! itself is `app::serve`, which the tests start too.

use crate::app::{self, Duties};
use crate::domain::Actor;
use crate::operations::Operations;
use crate::publish::{FeedFormat, FeedKind, Site};
use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub(super) struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "SYNDIC_LISTEN")]
    pub(super) listen: Option<String>,
    /// Public base URL of the site, used in every feed, page and sitemap.
    #[arg(long, env = "SYNDIC_BASE_URL")]
    pub(super) base_url: Option<String>,
    /// Fill an empty database with demo outlets, columns and articles.
    #[arg(long)]
    pub(super) demo: bool,
    /// Ingest requests per minute allowed to each outlet token (default: no limit).
    #[arg(long, env = "SYNDIC_RATE_LIMIT")]
    pub(super) rate_limit: Option<u32>,
    /// Memory for rendered feeds, pages and sitemaps, in MiB (default 64; 0 turns the cache off).
    #[arg(long, env = "SYNDIC_RENDER_CACHE_MB")]
    pub(super) render_cache_mb: Option<usize>,
    /// Milliseconds a superseded feed, page or sitemap may still be served while its successor renders (default 500; 0: never).
    #[arg(long, env = "SYNDIC_RENDER_CACHE_STALE_MS")]
    pub(super) render_cache_stale_ms: Option<u64>,
    /// Milliseconds changes to a document served stale gather before it is rendered again (default 100).
    #[arg(long, env = "SYNDIC_RENDER_CACHE_COALESCE_MS")]
    pub(super) render_cache_coalesce_ms: Option<u64>,
    /// Request-body bytes that pushes, batches and feed documents may hold at once, in MiB (default 256).
    #[arg(long, env = "SYNDIC_BODY_BUDGET_MB")]
    pub(super) body_budget_mb: Option<usize>,
    /// Admin API token (prefer the environment variable to keep it out of `ps`).
    #[arg(long, env = "SYNDIC_ADMIN_TOKEN", hide_env_values = true)]
    pub(super) admin_token: Option<String>,
    /// An external WebSub hub to name in feeds and ping on changes (default: syndic's own, /websub).
    #[arg(long, env = "SYNDIC_WEBSUB_HUB")]
    pub(super) websub_hub: Option<String>,
    /// IndexNow key: serves /{key}.txt and announces changed pages (default: off).
    #[arg(long, env = "SYNDIC_INDEXNOW_KEY", hide_env_values = true)]
    pub(super) indexnow_key: Option<String>,
    /// IndexNow endpoints, comma-separated (default https://api.indexnow.org/indexnow).
    #[arg(long, env = "SYNDIC_INDEXNOW_ENDPOINTS")]
    pub(super) indexnow_endpoints: Option<String>,
    /// Baidu link push URL, http://data.zz.baidu.com/urls?site=…&token=… (default: off).
    #[arg(long, env = "SYNDIC_BAIDU_PUSH_URL", hide_env_values = true)]
    pub(super) baidu_push_url: Option<String>,
    #[command(flatten)]
    pub(super) connections: crate::config::ConnectionSettings,
    #[command(flatten)]
    pub(super) console: crate::config::ConsoleSettings,
    #[command(flatten)]
    pub(super) attribution: crate::config::AttributionSettings,
    #[command(flatten)]
    pub(super) ingest: super::IngestOptions,
}

/// Serves until SIGTERM or Ctrl-C, then drains; `demo` loads the demo content into an
/// empty database first.
pub(super) async fn run(operations: Operations, demo: bool) -> anyhow::Result<()> {
    let config = operations.config().clone();
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    if demo {
        match operations.load_demo(&Actor::Cli).await? {
            Some(loaded) => {
                println!("demo content loaded: {} articles", loaded.articles);
                for (slug, token) in &loaded.tokens {
                    println!("  ingest token of outlet {slug}: {token}");
                }
                for (username, password) in &loaded.users {
                    println!("  console user {username}, password: {password}  (shown this once)");
                }
            }
            None => println!("database already has content; demo content not loaded"),
        }
        print_urls(operations.site());
    }
    if config.admin_token.is_none() {
        tracing::warn!("no admin token configured: the admin API is disabled (set SYNDIC_ADMIN_TOKEN)");
    }
    tracing::info!(listen = %config.listen, base_url = %config.base_url, "syndic is serving");
    // Stops accepting connections on SIGTERM or Ctrl-C and answers what is in flight.
    app::serve(listener, operations.clone(), Duties::ALL, shutdown_signal()).await;
    operations.close().await;
    tracing::info!("stopped");
    Ok(())
}

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
    println!("  console         {}/admin/  (sign in as a user: syndic user add NAME --name 真实姓名 --role admin --password-stdin)", site.base_url);
    println!("  review queue    {}/admin/review  (the demo's editor liming: its password is above)", site.base_url);
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
