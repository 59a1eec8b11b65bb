//! `syndic source …`: the feeds and list pages syndic polls, and previewing one.

use super::NameMissing;
use crate::catalog::{RouteForm, SourceEdit, SourceForm, SourcePreviewForm};
use crate::domain::Actor;
use crate::ingest::page::PageRules;
use crate::operations::Operations;
use clap::Subcommand;

mod preview;

#[derive(Debug, Subcommand)]
pub(super) enum SourceCommand {
    /// Subscribe an outlet's feed, or a list page of its site, into columns (an internal
    /// address is refused at once).
    Add {
        /// The outlet whose feed it is (its slug).
        #[arg(long)]
        outlet: String,
        /// The feed's address, or the list page's (--kind html).
        #[arg(long)]
        url: String,
        /// feed (the default) | html (a list page: its article pages are fetched and read)
        #[arg(long)]
        kind: Option<String>,
        /// Fetch each new item's page for its content (a feed carrying only summaries).
        #[arg(long)]
        full_text: bool,
        #[command(flatten)]
        reading: Reading,
        /// A column its items go to (repeatable; the first is primary).
        #[arg(long = "column", required = true)]
        columns: Vec<String>,
        /// Seconds between polls (default 900).
        #[arg(long)]
        interval: Option<i64>,
        #[command(flatten)]
        rules: RoutingRules,
    },
    /// List sources with their status.
    List,
    /// Change a source's address, interval or routing (routing options given replace
    /// the source's routing of that kind).
    Edit {
        /// The source's id (see `source list`).
        id: i64,
        /// The feed's new address.
        #[arg(long)]
        url: Option<String>,
        /// true | false: fetch each new item's page for its content (feeds only).
        #[arg(long)]
        full_text: Option<bool>,
        #[command(flatten)]
        reading: Reading,
        /// Seconds between polls.
        #[arg(long)]
        interval: Option<i64>,
        /// The columns its items go to (repeatable; the first is primary).
        #[arg(long = "column")]
        columns: Vec<String>,
        #[command(flatten)]
        rules: RoutingRules,
    },
    /// Stop polling a source.
    Remove {
        /// The source's id.
        id: i64,
    },
    /// Poll a source now, even during backoff.
    Poll {
        /// The source's id.
        id: i64,
    },
    /// Show what a feed or list page would bring (up to 10 items, each field as it would be
    /// stored), storing nothing.
    Preview {
        /// The feed's address, or the list page's (--kind html).
        url: String,
        /// feed (the default) | html
        #[arg(long)]
        kind: Option<String>,
        /// Fetch each item's page for its content (feeds).
        #[arg(long)]
        full_text: bool,
        /// The outlet it would be added for (its zone reads times; its domains decide what it may take).
        #[arg(long)]
        outlet: Option<String>,
        /// The zone naive times are read in without --outlet (default: the site's).
        #[arg(long)]
        zone: Option<String>,
        #[command(flatten)]
        reading: Reading,
    },
}

/// How a source's pages are read, as `add`, `edit` and `preview` take it.
#[derive(Debug, clap::Args)]
pub(super) struct Reading {
    /// A JSON file of extraction rules: {"links", "title", "content", "published", "author",
    /// "source_line", "date_format"} (--rule given too overrides its fields).
    #[arg(long)]
    rules_file: Option<std::path::PathBuf>,
    /// An extraction rule NAME=VALUE, e.g. links=".list a" or content="#article"
    /// (repeatable).
    #[arg(long = "rule")]
    rules: Vec<String>,
}

impl Reading {
    /// The rules given, or `None` when neither option was.
    fn rules(&self) -> anyhow::Result<Option<PageRules>> {
        if self.rules_file.is_none() && self.rules.is_empty() {
            return Ok(None);
        }
        let mut rules = match &self.rules_file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("--rules-file {}: {e}", path.display()))?;
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text)
                    .map_err(|e| anyhow::anyhow!("--rules-file {}: not a JSON object: {e}", path.display()))?
            }
            None => serde_json::Map::new(),
        };
        for rule in &self.rules {
            let (name, value) = rule.split_once('=').ok_or_else(|| anyhow::anyhow!("--rule {rule}: use NAME=VALUE"))?;
            rules.insert(name.trim().to_owned(), serde_json::Value::String(value.to_owned()));
        }
        let rules =
            serde_json::from_value(serde_json::Value::Object(rules)).map_err(|e| anyhow::anyhow!("rules: {e}"))?;
        Ok(Some(rules))
    }
}

/// The routing rules and keyword filters of a source, as `add` and `edit` take them.
#[derive(Debug, clap::Args)]
pub(super) struct RoutingRules {
    /// A routing rule MATCH:VALUE:COLUMN, MATCH being `category` or `keyword`: matching
    /// items also go to COLUMN (repeatable).
    #[arg(long = "route")]
    routes: Vec<String>,
    /// Take only items containing one of these keywords (repeatable).
    #[arg(long)]
    include: Vec<String>,
    /// Leave out items containing this keyword (repeatable).
    #[arg(long)]
    exclude: Vec<String>,
    /// auto (publish at once, the default) | manual (hold each new item for review)
    #[arg(long)]
    review: Option<String>,
}

impl RoutingRules {
    fn routes(&self) -> anyhow::Result<Vec<RouteForm>> {
        self.routes
            .iter()
            .map(|r| {
                let malformed = || anyhow::anyhow!("--route {r}: use MATCH:VALUE:COLUMN");
                let (matching, rest) = r.split_once(':').ok_or_else(malformed)?;
                let (value, column) = rest.rsplit_once(':').ok_or_else(malformed)?;
                Ok(RouteForm { matching: matching.into(), value: value.into(), column: column.into() })
            })
            .collect()
    }
}

pub(super) async fn run(operations: &Operations, command: SourceCommand) -> anyhow::Result<()> {
    match command {
        SourceCommand::Add { outlet, url, kind, full_text, reading, columns, interval, rules } => {
            let form = SourceForm {
                outlet: Some(outlet),
                url: Some(url),
                kind,
                rules: reading.rules()?,
                full_text: Some(full_text),
                columns: Some(columns),
                interval_secs: interval,
                routes: rules.routes()?,
                include: rules.include,
                exclude: rules.exclude,
                review: rules.review,
            };
            let source = operations.add_source(&Actor::Cli, form).await?;
            println!("source {} added: {}", source.id, source.url);
        }
        SourceCommand::List => {
            for s in operations.sources().await? {
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
        SourceCommand::Edit { id, url, full_text, reading, interval, columns, rules } => {
            let routes = rules.routes()?;
            let given = |list: Vec<String>| (!list.is_empty()).then_some(list);
            let edit = SourceEdit {
                url,
                rules: reading.rules()?,
                full_text,
                interval_secs: interval,
                columns: given(columns),
                routes: (!routes.is_empty()).then_some(routes),
                include: given(rules.include),
                exclude: given(rules.exclude),
                review: rules.review,
            };
            let source = operations.edit_source(&Actor::Cli, id, edit).await.naming(|| format!("source {id}"))?;
            println!("source {} updated: {}", source.id, source.url);
        }
        SourceCommand::Remove { id } => {
            operations.remove_source(&Actor::Cli, id).await.naming(|| format!("source {id}"))?;
            println!("source {id} removed");
        }
        SourceCommand::Poll { id } => {
            let (report, _) = operations
                .poll_source(&Actor::Cli, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("source {id} not found"))?;
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
            for warning in &report.warnings {
                println!("  warning: {warning}");
            }
        }
        SourceCommand::Preview { url, kind, full_text, outlet, zone, reading } => {
            let form = SourcePreviewForm {
                url: Some(url),
                kind,
                rules: reading.rules()?,
                full_text: Some(full_text),
                outlet,
                zone,
            };
            let preview = operations.preview_source(form).await?;
            print!("{}", preview::text(&preview));
        }
    }
    Ok(())
}
