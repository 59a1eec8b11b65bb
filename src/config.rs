//! Configuration: one typed `Config`, layered as built-in defaults < the demo's site
//! settings (with `--demo`) < `syndic.toml` < environment < command-line flags.
//! Secrets are kept in `Secret`, which never prints its value.

use crate::domain::networks::Networks;
use crate::domain::policy::ContentPolicy;
use crate::domain::session::SessionLimits;
use crate::domain::text::xml_safe;
use crate::ingest::guard::FetchAllow;
use crate::publish::attribution::Template;
use chrono_tz::Tz;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://syndic.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "syndic.toml";
/// Items in each feed unless configured otherwise.
pub const DEFAULT_FEED_ITEMS: usize = 50;
/// The most items a feed may be configured to carry.
pub const MAX_FEED_ITEMS: usize = 1_000;
/// Memory for rendered documents unless configured otherwise (MiB).
pub const DEFAULT_RENDER_CACHE_MB: usize = 64;
/// How long a superseded document may still be served while its successor renders
/// (the render cache's freshness contract, `http::cache::freshness`).
pub const DEFAULT_RENDER_CACHE_STALE_MS: u64 = 500;
/// How long a superseded document waits for more changes before its successor renders.
pub const DEFAULT_RENDER_CACHE_COALESCE_MS: u64 = 100;
/// The longest either may be configured: a minute.
const MAX_RENDER_CACHE_WINDOW_MS: u64 = 60_000;
/// Request-body bytes in flight on the large-body routes unless configured otherwise
/// (MiB): four of the largest batches at once.
pub const DEFAULT_BODY_BUDGET_MB: usize = 256;
/// Seconds start-up and every command wait for the database before saying why not.
pub const DEFAULT_DATABASE_CONNECT_TIMEOUT_SECS: u64 = 5;
const MAX_DATABASE_CONNECT_TIMEOUT_SECS: u64 = 300;
/// The longest base URL accepted; sitemap shard sizes depend on it.
pub const MAX_BASE_URL_LEN: usize = 200;
/// Time a client has to send a whole request head, unless configured otherwise:
/// enough for any client on a slow link, far too little for a slowloris.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a kept-alive connection may wait for its next request, unless configured otherwise.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest pause in a request body, unless configured otherwise.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes per second a request body must average beyond its allowance, unless
/// configured otherwise: a client pushing 1 MiB may keep the server waiting 1,024 s
/// more than `body_timeout` in all, a trickle of a byte every few seconds is cut.
pub const DEFAULT_BODY_MIN_RATE: u64 = 1024;
/// Longest a client may leave a response unread, unless configured otherwise.
pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest any connection timeout may be configured to.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// The site settings the demo starts with, unless the operator's own override them.
const DEMO_SITE: &str = include_str!("../examples/demo-site.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("{key}: {reason}")]
    Invalid { key: &'static str, reason: String },
}

/// A secret value; `Debug` and `Display` show only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Site-wide settings shown on every page and feed (the footer of the example page:
/// owner, copyright, licence number).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub name: String,
    pub description: String,
    /// BCP 47 tag; decides the page labels (Chinese for `zh*`, else English).
    pub language: String,
    /// Pages show times in this zone.
    pub timezone: Tz,
    /// "Host / supervisor" line of the footer.
    pub owner: Option<String>,
    pub copyright: Option<String>,
    /// Licence or registration line, such as an ICP number.
    pub licence: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// How long opening the database may take before start-up fails with the cause.
    pub database_connect_timeout: Duration,
    pub listen: SocketAddr,
    /// Absolute URL the site is reached at, without a trailing slash.
    pub base_url: String,
    pub admin_token: Option<Secret>,
    pub feed_items: usize,
    pub site: SiteConfig,
    /// Internal networks outbound fetches may reach despite the SSRF guard.
    pub fetch_allow: FetchAllow,
    /// Terms and link domains that hold an article in quarantine.
    pub policy: ContentPolicy,
    /// Ingest requests per minute allowed to each outlet token; `None`: no limit.
    pub rate_limit_per_minute: Option<u32>,
    /// Outbound notifications: WebSub, IndexNow, Baidu.
    pub notify: NotifyConfig,
    /// Keeping outlets' images (`[media]`).
    pub media: MediaConfig,
    /// Subscribing to outlets' WebSub hubs (fixed; tests shorten it).
    pub subscriber: SubscriberConfig,
    /// Bytes the render cache may hold; 0 turns it off.
    pub render_cache_bytes: usize,
    /// How long a superseded document may be served while its successor renders; zero:
    /// never (every reader waits for the current document).
    pub render_cache_stale: Duration,
    /// How long changes to a document served stale gather before one render follows them.
    pub render_cache_coalesce: Duration,
    /// Request-body bytes the large-body routes (pushes, batches, feed documents) may
    /// hold at once, in the whole process.
    pub body_budget_bytes: usize,
    /// How long the server waits for slow clients, and how many it holds.
    pub connections: ConnectionLimits,
    /// How long console sessions last.
    pub sessions: SessionLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (`Networks::client_behind`).
    pub trusted_proxies: Networks,
    /// The attribution block's template (the site language's default unless configured);
    /// `None`: the block is turned off.
    pub attribution: Option<Template>,
    /// This instance's search index directory (`[search] dir`; by default beside a
    /// SQLite database, `syndic.db.search`, else `syndic-search` in the working
    /// directory). Each instance needs its own.
    pub search_dir: PathBuf,
}

/// How long the HTTP server waits for each part of a client's exchange, and how many
/// connections it holds at once (`http::server` enforces them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionLimits {
    /// Most client connections at once; `None`: half the open-file limit, decided when
    /// serving starts (after the limit is raised).
    pub max_connections: Option<usize>,
    /// From a connection's opening, or from the first byte of a later request, to the
    /// end of the request head.
    pub header_timeout: Duration,
    /// A kept-alive connection's wait for the first byte of its next request.
    pub idle_timeout: Duration,
    /// Longest pause in a request body; also the allowance `body_min_rate` adds to.
    pub body_timeout: Duration,
    /// Each byte of a body received earns `1 / body_min_rate` s of further waiting;
    /// 0: no minimum rate, only `body_timeout` between bytes.
    pub body_min_rate: u64,
    /// Longest a response may wait for the client to take more of it.
    pub send_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: None,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            body_min_rate: DEFAULT_BODY_MIN_RATE,
            send_timeout: DEFAULT_SEND_TIMEOUT,
        }
    }
}

/// `[connections]` in syndic.toml; the same keys, upper-cased with `SYNDIC_`, in the
/// environment, and as `serve` flags. Every key is optional.
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSettings {
    /// Most client connections at once; at the cap the oldest idle ones make room (default: half the open-file limit).
    #[arg(long, env = "SYNDIC_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a whole request head (default 10).
    #[arg(long, env = "SYNDIC_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Seconds a kept-alive connection may wait for its next request (default 20).
    #[arg(long, env = "SYNDIC_IDLE_TIMEOUT_SECS")]
    pub idle_timeout_secs: Option<u64>,
    /// Seconds a request body may pause (default 10).
    #[arg(long, env = "SYNDIC_BODY_TIMEOUT_SECS")]
    pub body_timeout_secs: Option<u64>,
    /// Bytes per second a request body must average beyond that allowance (default 1024; 0: no minimum).
    #[arg(long, env = "SYNDIC_BODY_MIN_RATE")]
    pub body_min_rate: Option<u64>,
    /// Seconds a client may leave a response unread (default 30).
    #[arg(long, env = "SYNDIC_SEND_TIMEOUT_SECS")]
    pub send_timeout_secs: Option<u64>,
}

impl ConnectionSettings {
    /// Keys set in `self` win over those in `lower`.
    fn over(self, lower: ConnectionSettings) -> ConnectionSettings {
        ConnectionSettings {
            max_connections: self.max_connections.or(lower.max_connections),
            header_timeout_secs: self.header_timeout_secs.or(lower.header_timeout_secs),
            idle_timeout_secs: self.idle_timeout_secs.or(lower.idle_timeout_secs),
            body_timeout_secs: self.body_timeout_secs.or(lower.body_timeout_secs),
            body_min_rate: self.body_min_rate.or(lower.body_min_rate),
            send_timeout_secs: self.send_timeout_secs.or(lower.send_timeout_secs),
        }
    }

    fn limits(self) -> Result<ConnectionLimits, ConfigError> {
        let defaults = ConnectionLimits::default();
        let timeout = |key: &'static str, secs: Option<u64>, default: Duration| match secs {
            None => Ok(default),
            Some(secs @ 1..=MAX_TIMEOUT_SECS) => Ok(Duration::from_secs(secs)),
            Some(_) => Err(invalid(key, format!("must be between 1 and {MAX_TIMEOUT_SECS} seconds"))),
        };
        if self.max_connections == Some(0) {
            return Err(invalid("connections.max_connections", "must be at least 1".into()));
        }
        Ok(ConnectionLimits {
            max_connections: self.max_connections,
            header_timeout: timeout(
                "connections.header_timeout_secs",
                self.header_timeout_secs,
                defaults.header_timeout,
            )?,
            idle_timeout: timeout("connections.idle_timeout_secs", self.idle_timeout_secs, defaults.idle_timeout)?,
            body_timeout: timeout("connections.body_timeout_secs", self.body_timeout_secs, defaults.body_timeout)?,
            body_min_rate: self.body_min_rate.unwrap_or(defaults.body_min_rate),
            send_timeout: timeout("connections.send_timeout_secs", self.send_timeout_secs, defaults.send_timeout)?,
        })
    }
}

/// The longest a console session may be configured to last: 30 days.
const MAX_SESSION_SECS: u64 = 30 * 24 * 3600;

/// `[console]` in syndic.toml; the same keys, upper-cased with `SYNDIC_`, in the
/// environment, and as `serve` flags. Every key is optional.
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct ConsoleSettings {
    /// Seconds a console session may stay unused before it ends (default 1800).
    #[arg(long, env = "SYNDIC_SESSION_IDLE_SECS")]
    pub session_idle_secs: Option<u64>,
    /// Seconds after signing in that a console session ends however busy (default 43200).
    #[arg(long, env = "SYNDIC_SESSION_LIFETIME_SECS")]
    pub session_lifetime_secs: Option<u64>,
    /// Comma-separated CIDRs of the reverse proxies in front of syndic, whose
    /// `X-Forwarded-For` names the client that login throttling counts (default none).
    #[arg(long, env = "SYNDIC_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
}

impl ConsoleSettings {
    /// Keys set in `self` win over those in `lower`.
    fn over(self, lower: ConsoleSettings) -> ConsoleSettings {
        ConsoleSettings {
            session_idle_secs: self.session_idle_secs.or(lower.session_idle_secs),
            session_lifetime_secs: self.session_lifetime_secs.or(lower.session_lifetime_secs),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
        }
    }

    fn trusted_proxies(&self) -> Result<Networks, ConfigError> {
        Networks::parse(self.trusted_proxies.as_deref().unwrap_or(""))
            .map_err(|e| invalid("console.trusted_proxies", e))
    }

    fn limits(self) -> Result<SessionLimits, ConfigError> {
        let defaults = SessionLimits::default();
        let secs = |key: &'static str, secs: Option<u64>, default: Duration| match secs {
            None => Ok(default),
            Some(secs @ 1..=MAX_SESSION_SECS) => Ok(Duration::from_secs(secs)),
            Some(_) => Err(invalid(key, format!("must be between 1 and {MAX_SESSION_SECS} seconds"))),
        };
        Ok(SessionLimits {
            idle_timeout: secs("console.session_idle_secs", self.session_idle_secs, defaults.idle_timeout)?,
            lifetime: secs("console.session_lifetime_secs", self.session_lifetime_secs, defaults.lifetime)?,
        })
    }
}

/// `[attribution]` in syndic.toml; `SYNDIC_ATTRIBUTION_ENABLED` and
/// `SYNDIC_ATTRIBUTION_TEMPLATE` in the environment, and as `serve` flags. Every key is
/// optional.
#[derive(Debug, Default, Clone, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct AttributionSettings {
    /// Whether feed items and partner articles end with the attribution block (default true).
    #[arg(long = "attribution-enabled", env = "SYNDIC_ATTRIBUTION_ENABLED", value_name = "true|false")]
    pub enabled: Option<bool>,
    /// The attribution block's template: {outlet}, {credit}, {author}, {link}, {published}, {editor}, {original_title} (default: the site language's).
    #[arg(long = "attribution-template", env = "SYNDIC_ATTRIBUTION_TEMPLATE")]
    pub template: Option<String>,
}

impl AttributionSettings {
    /// Keys set in `self` win over those in `lower`.
    fn over(self, lower: AttributionSettings) -> AttributionSettings {
        AttributionSettings { enabled: self.enabled.or(lower.enabled), template: self.template.or(lower.template) }
    }

    /// The template, checked even when the block is off, so that a mistake shows at once.
    fn template(self, language: &str) -> Result<Option<Template>, ConfigError> {
        let template = match self.template {
            Some(text) => Template::parse(&text).map_err(|reason| invalid("attribution.template", reason))?,
            None => Template::default_for(language),
        };
        Ok(self.enabled.unwrap_or(true).then_some(template))
    }
}

/// Where syndic announces changes, and how it retries.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// An external WebSub hub feeds name and syndic pings; `None`: syndic's own hub.
    pub websub_hub: Option<String>,
    /// IndexNow key (served at `/{key}.txt`); `None`: IndexNow is off.
    pub indexnow_key: Option<String>,
    pub indexnow_endpoints: Vec<String>,
    /// Baidu link push URL with its site and token; `None`: off.
    pub baidu_push_url: Option<Secret>,
    /// Delay before the first retry of a failed delivery or ping; doubles with each attempt.
    pub retry_base: std::time::Duration,
    /// Attempts before a delivery (and its subscription) or a ping is given up.
    pub max_attempts: u32,
}

/// Keeping the images of outlets that grant it (`ingest::images`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    /// The largest image kept; a larger one is refused and keeps its original URL.
    pub max_image_bytes: usize,
    /// Delay before the first retry of an image that could not be fetched; doubles with
    /// each attempt.
    pub retry_base: std::time::Duration,
    /// Attempts before an image is given up (it keeps its original URL).
    pub max_attempts: u32,
}

/// How the WebSub subscriber (`ingest::websub`) paces itself. Not read from the
/// configuration file: the defaults suit every site; tests shorten them.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriberConfig {
    /// How often each instance looks for subscriptions due for a request or renewal.
    pub tick: std::time::Duration,
    /// Delay before asking a failing hub again; doubles with each failure (at most a day).
    pub retry_base: std::time::Duration,
}

impl Default for SubscriberConfig {
    fn default() -> Self {
        SubscriberConfig { tick: std::time::Duration::from_secs(1), retry_base: std::time::Duration::from_secs(60) }
    }
}

/// The default `[media] max_image_mb`.
pub const DEFAULT_MAX_IMAGE_MB: usize = 10;

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            max_image_bytes: DEFAULT_MAX_IMAGE_MB << 20,
            // 1 min, 2 min, 4 min … : ten attempts span about seventeen hours.
            retry_base: std::time::Duration::from_secs(60),
            max_attempts: 10,
        }
    }
}

/// IndexNow's shared endpoint, which passes URLs on to every participating engine.
pub const DEFAULT_INDEXNOW_ENDPOINT: &str = "https://api.indexnow.org/indexnow";

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            websub_hub: None,
            indexnow_key: None,
            indexnow_endpoints: Vec::new(),
            baidu_push_url: None,
            // 30 s, 1 min, 2 min … : eight attempts span about two hours.
            retry_base: std::time::Duration::from_secs(30),
            max_attempts: 8,
        }
    }
}

/// Values given on the command line or in the environment (clap reads both).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_connect_timeout_secs: Option<u64>,
    pub listen: Option<String>,
    pub base_url: Option<String>,
    pub admin_token: Option<String>,
    pub fetch_allow: Option<String>,
    /// Comma-separated, as SYNDIC_BLOCKED_TERMS / SYNDIC_BLOCKED_DOMAINS give them.
    pub blocked_terms: Option<String>,
    pub blocked_domains: Option<String>,
    pub rate_limit_per_minute: Option<u32>,
    pub render_cache_mb: Option<usize>,
    pub render_cache_stale_ms: Option<u64>,
    pub render_cache_coalesce_ms: Option<u64>,
    pub body_budget_mb: Option<usize>,
    pub websub_hub: Option<String>,
    pub indexnow_key: Option<String>,
    /// Comma-separated, as SYNDIC_INDEXNOW_ENDPOINTS gives them.
    pub indexnow_endpoints: Option<String>,
    pub baidu_push_url: Option<String>,
    pub connections: ConnectionSettings,
    pub console: ConsoleSettings,
    pub attribution: AttributionSettings,
    pub search_dir: Option<PathBuf>,
    pub demo: bool,
}

/// The shape of `syndic.toml`; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    database_connect_timeout_secs: Option<u64>,
    listen: Option<String>,
    base_url: Option<String>,
    admin_token: Option<String>,
    feed_items: Option<usize>,
    /// Comma-separated CIDRs, as in SYNDIC_FETCH_ALLOW.
    fetch_allow: Option<String>,
    rate_limit_per_minute: Option<u32>,
    render_cache_mb: Option<usize>,
    render_cache_stale_ms: Option<u64>,
    render_cache_coalesce_ms: Option<u64>,
    body_budget_mb: Option<usize>,
    #[serde(default)]
    site: FileSite,
    #[serde(default)]
    policy: FilePolicy,
    #[serde(default)]
    notify: FileNotify,
    #[serde(default)]
    connections: ConnectionSettings,
    #[serde(default)]
    console: ConsoleSettings,
    #[serde(default)]
    attribution: AttributionSettings,
    #[serde(default)]
    search: FileSearch,
    #[serde(default)]
    media: FileMedia,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMedia {
    max_image_mb: Option<usize>,
    retry_base_secs: Option<u64>,
    max_attempts: Option<u32>,
}

impl FileMedia {
    fn over(self, lower: FileMedia) -> FileMedia {
        FileMedia {
            max_image_mb: self.max_image_mb.or(lower.max_image_mb),
            retry_base_secs: self.retry_base_secs.or(lower.retry_base_secs),
            max_attempts: self.max_attempts.or(lower.max_attempts),
        }
    }

    fn config(self) -> Result<MediaConfig, ConfigError> {
        let defaults = MediaConfig::default();
        let max_image_mb = self.max_image_mb.unwrap_or(DEFAULT_MAX_IMAGE_MB);
        if !(1..=1024).contains(&max_image_mb) {
            return Err(invalid("media.max_image_mb", "must be between 1 and 1024 (MiB)".into()));
        }
        Ok(MediaConfig {
            max_image_bytes: max_image_mb << 20,
            retry_base: self.retry_base_secs.map_or(defaults.retry_base, |s| std::time::Duration::from_secs(s.max(1))),
            max_attempts: self.max_attempts.unwrap_or(defaults.max_attempts).max(1),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSearch {
    dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileNotify {
    websub_hub: Option<String>,
    indexnow_key: Option<String>,
    indexnow_endpoints: Option<Vec<String>>,
    baidu_push_url: Option<String>,
    retry_base_secs: Option<u64>,
    max_attempts: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePolicy {
    blocked_terms: Option<Vec<String>>,
    blocked_domains: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSite {
    name: Option<String>,
    description: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    owner: Option<String>,
    copyright: Option<String>,
    licence: Option<String>,
}

impl FileConfig {
    /// Keys set in `self` win over those in `lower`.
    fn over(self, lower: FileConfig) -> FileConfig {
        FileConfig {
            database_url: self.database_url.or(lower.database_url),
            database_connect_timeout_secs: self.database_connect_timeout_secs.or(lower.database_connect_timeout_secs),
            listen: self.listen.or(lower.listen),
            base_url: self.base_url.or(lower.base_url),
            admin_token: self.admin_token.or(lower.admin_token),
            feed_items: self.feed_items.or(lower.feed_items),
            fetch_allow: self.fetch_allow.or(lower.fetch_allow),
            rate_limit_per_minute: self.rate_limit_per_minute.or(lower.rate_limit_per_minute),
            render_cache_mb: self.render_cache_mb.or(lower.render_cache_mb),
            render_cache_stale_ms: self.render_cache_stale_ms.or(lower.render_cache_stale_ms),
            render_cache_coalesce_ms: self.render_cache_coalesce_ms.or(lower.render_cache_coalesce_ms),
            body_budget_mb: self.body_budget_mb.or(lower.body_budget_mb),
            notify: FileNotify {
                websub_hub: self.notify.websub_hub.or(lower.notify.websub_hub),
                indexnow_key: self.notify.indexnow_key.or(lower.notify.indexnow_key),
                indexnow_endpoints: self.notify.indexnow_endpoints.or(lower.notify.indexnow_endpoints),
                baidu_push_url: self.notify.baidu_push_url.or(lower.notify.baidu_push_url),
                retry_base_secs: self.notify.retry_base_secs.or(lower.notify.retry_base_secs),
                max_attempts: self.notify.max_attempts.or(lower.notify.max_attempts),
            },
            policy: FilePolicy {
                blocked_terms: self.policy.blocked_terms.or(lower.policy.blocked_terms),
                blocked_domains: self.policy.blocked_domains.or(lower.policy.blocked_domains),
            },
            site: FileSite {
                name: self.site.name.or(lower.site.name),
                description: self.site.description.or(lower.site.description),
                language: self.site.language.or(lower.site.language),
                timezone: self.site.timezone.or(lower.site.timezone),
                owner: self.site.owner.or(lower.site.owner),
                copyright: self.site.copyright.or(lower.site.copyright),
                licence: self.site.licence.or(lower.site.licence),
            },
            connections: self.connections.over(lower.connections),
            console: self.console.over(lower.console),
            attribution: self.attribution.over(lower.attribution),
            search: FileSearch { dir: self.search.dir.or(lower.search.dir) },
            media: self.media.over(lower.media),
        }
    }
}

impl Config {
    /// Builds the configuration from every layer.
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = read_file_layer(overrides.config_file.as_deref())?;
        let demo = if overrides.demo { parse_layer("demo site settings", DEMO_SITE)? } else { FileConfig::default() };
        let merged = FileConfig {
            database_url: overrides.database_url.clone(),
            database_connect_timeout_secs: overrides.database_connect_timeout_secs,
            listen: overrides.listen.clone(),
            base_url: overrides.base_url.clone(),
            admin_token: overrides.admin_token.clone(),
            fetch_allow: overrides.fetch_allow.clone(),
            rate_limit_per_minute: overrides.rate_limit_per_minute,
            render_cache_mb: overrides.render_cache_mb,
            render_cache_stale_ms: overrides.render_cache_stale_ms,
            render_cache_coalesce_ms: overrides.render_cache_coalesce_ms,
            body_budget_mb: overrides.body_budget_mb,
            policy: FilePolicy {
                blocked_terms: overrides.blocked_terms.as_deref().map(ContentPolicy::list),
                blocked_domains: overrides.blocked_domains.as_deref().map(ContentPolicy::list),
            },
            notify: FileNotify {
                websub_hub: overrides.websub_hub.clone(),
                indexnow_key: overrides.indexnow_key.clone(),
                indexnow_endpoints: overrides.indexnow_endpoints.as_deref().map(ContentPolicy::list),
                baidu_push_url: overrides.baidu_push_url.clone(),
                ..FileNotify::default()
            },
            connections: overrides.connections.clone(),
            console: overrides.console.clone(),
            attribution: overrides.attribution.clone(),
            search: FileSearch { dir: overrides.search_dir.clone() },
            media: FileMedia::default(),
            ..FileConfig::default()
        }
        .over(file)
        .over(demo);
        Config::from_layers(merged)
    }

    /// Articles per RFC 5005 archive page of a column feed: half a feed, so that the
    /// subscription feed (one to two pages' worth) never exceeds `feed_items`.
    pub fn archive_page_size(&self) -> i64 {
        (self.feed_items as i64 / 2).max(1)
    }

    fn from_layers(layers: FileConfig) -> Result<Config, ConfigError> {
        let listen_text = layers.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen_address(listen_text.trim())?;
        let base_url = match layers.base_url {
            Some(url) => parse_base_url(&url)?,
            None => format!("http://{}", listen_text.trim()),
        };
        let feed_items = layers.feed_items.unwrap_or(DEFAULT_FEED_ITEMS);
        if !(1..=MAX_FEED_ITEMS).contains(&feed_items) {
            return Err(invalid("feed_items", format!("must be between 1 and {MAX_FEED_ITEMS}")));
        }
        let fetch_allow =
            FetchAllow::parse(layers.fetch_allow.as_deref().unwrap_or("")).map_err(|e| invalid("fetch_allow", e))?;
        let policy = ContentPolicy::new(
            &layers.policy.blocked_terms.unwrap_or_default(),
            &layers.policy.blocked_domains.unwrap_or_default(),
        );
        let notify = notify_config(layers.notify)?;
        let media = layers.media.config()?;
        let body_budget_mb = layers.body_budget_mb.unwrap_or(DEFAULT_BODY_BUDGET_MB);
        if body_budget_mb == 0 {
            return Err(invalid("body_budget_mb", "must be at least 1 (MiB)".into()));
        }
        let connect_timeout_secs =
            layers.database_connect_timeout_secs.unwrap_or(DEFAULT_DATABASE_CONNECT_TIMEOUT_SECS);
        if !(1..=MAX_DATABASE_CONNECT_TIMEOUT_SECS).contains(&connect_timeout_secs) {
            let reason = format!("must be between 1 and {MAX_DATABASE_CONNECT_TIMEOUT_SECS} seconds");
            return Err(invalid("database_connect_timeout_secs", reason));
        }
        let connections = layers.connections.limits()?;
        let trusted_proxies = layers.console.trusted_proxies()?;
        let sessions = layers.console.limits()?;
        let site = layers.site;
        let language = crate::domain::text::language_tag(site.language.as_deref().unwrap_or("en"))
            .map_err(|e| invalid("site.language", e))?;
        let timezone = crate::domain::text::time_zone(site.timezone.as_deref().unwrap_or("UTC"))
            .map_err(|e| invalid("site.timezone", e))?;
        let attribution = layers.attribution.template(&language)?;
        let database_url = layers.database_url.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let search_dir = layers.search.dir.unwrap_or_else(|| default_search_dir(&database_url));
        let render_cache_stale =
            window_ms("render_cache_stale_ms", layers.render_cache_stale_ms, DEFAULT_RENDER_CACHE_STALE_MS)?;
        let render_cache_coalesce =
            window_ms("render_cache_coalesce_ms", layers.render_cache_coalesce_ms, DEFAULT_RENDER_CACHE_COALESCE_MS)?;
        Ok(Config {
            search_dir,
            database_url,
            database_connect_timeout: Duration::from_secs(connect_timeout_secs),
            listen,
            base_url,
            admin_token: layers.admin_token.filter(|t| !t.trim().is_empty()).map(Secret::new),
            feed_items,
            fetch_allow,
            policy,
            rate_limit_per_minute: layers.rate_limit_per_minute.filter(|n| *n > 0),
            notify,
            media,
            subscriber: SubscriberConfig::default(),
            render_cache_bytes: layers.render_cache_mb.unwrap_or(DEFAULT_RENDER_CACHE_MB).saturating_mul(1 << 20),
            render_cache_stale,
            render_cache_coalesce,
            body_budget_bytes: body_budget_mb.saturating_mul(1 << 20),
            // These appear in every document: what XML forbids is dropped, as from articles.
            connections,
            sessions,
            trusted_proxies,
            attribution,
            site: SiteConfig {
                name: xml_safe(&site.name.unwrap_or_else(|| "syndic".to_owned())),
                description: xml_safe(
                    &site.description.unwrap_or_else(|| "Reposted news, with attribution".to_owned()),
                ),
                language,
                timezone,
                owner: site.owner.as_deref().map(xml_safe),
                copyright: site.copyright.as_deref().map(xml_safe),
                licence: site.licence.as_deref().map(xml_safe),
            },
        })
    }
}

/// Beside a SQLite database file (`syndic.db` → `syndic.db.search`), else in the
/// working directory.
fn default_search_dir(database_url: &str) -> PathBuf {
    let file = database_url.strip_prefix("sqlite://").or_else(|| database_url.strip_prefix("sqlite:"));
    match file.map(|f| f.split('?').next().unwrap_or(f)) {
        Some(path) if !path.is_empty() && !path.starts_with(':') => PathBuf::from(format!("{path}.search")),
        _ => PathBuf::from("syndic-search"),
    }
}

fn notify_config(file: FileNotify) -> Result<NotifyConfig, ConfigError> {
    let defaults = NotifyConfig::default();
    let web_url = |key: &'static str, raw: String| -> Result<String, ConfigError> {
        crate::domain::text::http_url(raw.trim()).map_err(|e| invalid(key, format!("'{raw}' {e}")))
    };
    let indexnow_key = file.indexnow_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
    if let Some(key) = &indexnow_key {
        let valid = (8..=128).contains(&key.len()) && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(invalid("indexnow_key", "must be 8 to 128 characters of a-z, A-Z, 0-9 and '-'".into()));
        }
    }
    let mut indexnow_endpoints = Vec::new();
    if indexnow_key.is_some() {
        let endpoints = file.indexnow_endpoints.unwrap_or_else(|| vec![DEFAULT_INDEXNOW_ENDPOINT.to_owned()]);
        for endpoint in endpoints {
            indexnow_endpoints.push(web_url("indexnow_endpoints", endpoint)?);
        }
    }
    Ok(NotifyConfig {
        websub_hub: file.websub_hub.filter(|h| !h.trim().is_empty()).map(|h| web_url("websub_hub", h)).transpose()?,
        indexnow_key,
        indexnow_endpoints,
        baidu_push_url: file
            .baidu_push_url
            .filter(|u| !u.trim().is_empty())
            .map(|u| web_url("baidu_push_url", u).map(Secret::new))
            .transpose()?,
        retry_base: file.retry_base_secs.map_or(defaults.retry_base, std::time::Duration::from_secs),
        max_attempts: file.max_attempts.unwrap_or(defaults.max_attempts).max(1),
    })
}

/// A render cache window in milliseconds, at most a minute.
fn window_ms(key: &'static str, ms: Option<u64>, default: u64) -> Result<Duration, ConfigError> {
    match ms.unwrap_or(default) {
        ms @ 0..=MAX_RENDER_CACHE_WINDOW_MS => Ok(Duration::from_millis(ms)),
        _ => Err(invalid(key, format!("must be between 0 and {MAX_RENDER_CACHE_WINDOW_MS} milliseconds"))),
    }
}

fn invalid(key: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { key, reason }
}

fn parse_base_url(raw: &str) -> Result<String, ConfigError> {
    let url = url::Url::parse(raw.trim()).map_err(|e| invalid("base_url", format!("'{raw}': {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("base_url", format!("'{raw}' must be an http(s) URL without query or fragment")));
    }
    let text = url.as_str().trim_end_matches('/').to_owned();
    if text.len() > MAX_BASE_URL_LEN {
        return Err(invalid("base_url", format!("must be at most {MAX_BASE_URL_LEN} characters")));
    }
    Ok(text)
}

fn read_file_layer(explicit: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None if Path::new(DEFAULT_CONFIG_FILE).exists() => PathBuf::from(DEFAULT_CONFIG_FILE),
        None => return Ok(FileConfig::default()),
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
    parse_layer(&path.display().to_string(), &text)
}

fn parse_layer(name: &str, text: &str) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|source| ConfigError::Parse { path: name.to_owned(), source })
}

/// The address to listen on: `IP:PORT` (`[::1]:8080` for IPv6), or `HOST:PORT` with a
/// name the system resolves (`localhost:8080`), taking its first address.
fn listen_address(text: &str) -> Result<SocketAddr, ConfigError> {
    let refused = |why: &str| invalid("listen", format!("'{text}' {why}: give an address such as 127.0.0.1:8080"));
    if let Ok(address) = text.parse() {
        return Ok(address);
    }
    let (host, port) = text.rsplit_once(':').ok_or_else(|| refused("has no port"))?;
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(refused("is not HOST:PORT"));
    }
    let mut addresses = std::net::ToSocketAddrs::to_socket_addrs(text).map_err(|_| refused("does not resolve"))?;
    addresses.next().ok_or_else(|| refused("does not resolve"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_the_file_beats_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\n[site]\nname = \"From file\"\n").unwrap();
        let config = Config::load(&Overrides {
            config_file: Some(path),
            listen: Some("127.0.0.1:9100".into()),
            demo: true,
            ..Overrides::default()
        })
        .unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.site.name, "From file");
        assert_eq!(config.site.timezone, chrono_tz::Asia::Shanghai, "demo layer fills the rest");
        assert_eq!(config.base_url, "http://127.0.0.1:9100");
    }

    #[test]
    fn listen_takes_a_host_name_and_the_base_url_keeps_it() {
        let config =
            Config::load(&Overrides { listen: Some("localhost:9200".into()), ..Overrides::default() }).unwrap();
        assert!(config.listen.ip().is_loopback() && config.listen.port() == 9200, "{}", config.listen);
        assert_eq!(config.base_url, "http://localhost:9200");
        for wrong in ["localhost", "localhost:http", ":8080", "no-such-host.invalid:8080"] {
            let refused = Config::load(&Overrides { listen: Some(wrong.into()), ..Overrides::default() });
            assert!(refused.unwrap_err().to_string().contains("listen"), "{wrong}");
        }
    }

    #[test]
    fn the_search_index_lives_beside_a_sqlite_database_unless_configured() {
        let dir_for = |url: &str| {
            Config::load(&Overrides { database_url: Some(url.into()), ..Overrides::default() }).unwrap().search_dir
        };
        assert_eq!(dir_for("sqlite:///var/lib/syndic/syndic.db"), PathBuf::from("/var/lib/syndic/syndic.db.search"));
        assert_eq!(dir_for("sqlite://syndic.db?mode=rwc"), PathBuf::from("syndic.db.search"));
        assert_eq!(dir_for("postgres://db/syndic"), PathBuf::from("syndic-search"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, "[search]\ndir = \"/srv/index\"\n").unwrap();
        let config = Config::load(&Overrides { config_file: Some(path), ..Overrides::default() }).unwrap();
        assert_eq!(config.search_dir, PathBuf::from("/srv/index"));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn base_urls_lose_their_trailing_slash_and_must_be_web_urls() {
        assert_eq!(parse_base_url("https://news.example.cn/portal/").unwrap(), "https://news.example.cn/portal");
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("https://x/?a=1").is_err());
    }

    #[test]
    fn connection_limits_come_from_the_file_and_flags_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, "[connections]\nmax_connections = 500\nheader_timeout_secs = 4\nbody_min_rate = 0\n")
            .unwrap();
        let load = |connections: ConnectionSettings| {
            Config::load(&Overrides { config_file: Some(path.clone()), connections, ..Overrides::default() })
        };
        let limits =
            load(ConnectionSettings { header_timeout_secs: Some(6), ..Default::default() }).unwrap().connections;
        assert_eq!(limits.max_connections, Some(500));
        assert_eq!(limits.header_timeout, Duration::from_secs(6), "the flag wins");
        assert_eq!(limits.body_min_rate, 0);
        assert_eq!(limits.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        let refused = load(ConnectionSettings { send_timeout_secs: Some(0), ..Default::default() }).unwrap_err();
        assert!(refused.to_string().starts_with("connections.send_timeout_secs:"), "{refused}");
        assert!(load(ConnectionSettings { max_connections: Some(0), ..Default::default() }).is_err());
    }

    #[test]
    fn render_cache_windows_come_from_the_file_and_flags_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, "render_cache_stale_ms = 0\nrender_cache_coalesce_ms = 250\n").unwrap();
        let load = |stale: Option<u64>| {
            Config::load(&Overrides {
                config_file: Some(path.clone()),
                render_cache_stale_ms: stale,
                ..Overrides::default()
            })
        };
        let config = load(None).unwrap();
        assert_eq!(
            (config.render_cache_stale, config.render_cache_coalesce),
            (Duration::ZERO, Duration::from_millis(250))
        );
        assert_eq!(load(Some(900)).unwrap().render_cache_stale, Duration::from_millis(900), "the flag wins");
        let refused = load(Some(60_001)).unwrap_err();
        assert!(refused.to_string().starts_with("render_cache_stale_ms:"), "{refused}");
        let defaults = Config::load(&Overrides::default()).unwrap();
        assert_eq!(defaults.render_cache_stale, Duration::from_millis(DEFAULT_RENDER_CACHE_STALE_MS));
    }

    #[test]
    fn session_limits_come_from_the_file_and_flags_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        std::fs::write(&path, "[console]\nsession_idle_secs = 600\nsession_lifetime_secs = 7200\n").unwrap();
        let load = |console: ConsoleSettings| {
            Config::load(&Overrides { config_file: Some(path.clone()), console, ..Overrides::default() })
        };
        let limits = load(ConsoleSettings { session_idle_secs: Some(900), ..Default::default() }).unwrap().sessions;
        assert_eq!(limits.idle_timeout, Duration::from_secs(900), "the flag wins");
        assert_eq!(limits.lifetime, Duration::from_secs(7200));
        assert_eq!(Config::load(&Overrides::default()).unwrap().sessions, SessionLimits::default());
        let refused = load(ConsoleSettings { session_lifetime_secs: Some(0), ..Default::default() }).unwrap_err();
        assert!(refused.to_string().starts_with("console.session_lifetime_secs:"), "{refused}");
    }

    #[test]
    fn the_attribution_block_is_on_in_the_site_language_unless_configured_and_its_template_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syndic.toml");
        let load = |file: &str, attribution: AttributionSettings| {
            std::fs::write(&path, file).unwrap();
            Config::load(&Overrides { config_file: Some(path.clone()), attribution, ..Overrides::default() })
        };
        let zh = load("[site]\nlanguage = \"zh-CN\"\n", AttributionSettings::default()).unwrap();
        assert_eq!(zh.attribution, Some(Template::default_for("zh")));
        assert_eq!(Config::load(&Overrides::default()).unwrap().attribution, Some(Template::default_for("en")));
        let custom = load("[attribution]\ntemplate = \"转自{outlet}\"\n", AttributionSettings::default()).unwrap();
        assert_eq!(custom.attribution, Some(Template::parse("转自{outlet}").unwrap()));
        let off = AttributionSettings { enabled: Some(false), ..Default::default() };
        assert_eq!(load("[attribution]\nenabled = true\n", off).unwrap().attribution, None, "the flag wins");
        let refused = load("[attribution]\nenabled = false\ntemplate = \"来源:{source}\"\n", Default::default());
        let refused = refused.unwrap_err().to_string();
        assert!(refused.starts_with("attribution.template: unknown placeholder {source}"), "{refused}");
        assert!(load("[attribution]\nenable = true\n", Default::default()).is_err(), "unknown key");
        let control = AttributionSettings { template: Some("来源:{outlet}\u{1}".into()), ..Default::default() };
        let refused = load("", control).unwrap_err().to_string();
        assert!(refused.starts_with("attribution.template: holds U+0001"), "{refused}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        assert!(parse_layer("t", "listne = \"x\"").is_err());
    }
}
