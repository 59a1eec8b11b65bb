//! `syndic audit`: the audit log, newest first, as tab-separated lines or JSON lines.

use crate::domain::audit::Action;
use crate::operations::Operations;
use crate::store::{AuditQuery, AuditRecord};
use anyhow::Context;
use clap::Args;

/// Entries read from the database at a time.
const PAGE: i64 = 500;

#[derive(Debug, Args)]
pub(super) struct AuditArgs {
    /// Only entries of this actor (`admin-token`, `user:NAME`, `outlet:SLUG`, `cli`).
    #[arg(long)]
    actor: Option<String>,
    /// Only entries about this target (`column:SLUG`, `user:NAME`, `article:ID`, …).
    #[arg(long)]
    target: Option<String>,
    /// Only entries of this action (`column.add`, `user.password`, `login.failed`, …).
    #[arg(long)]
    action: Option<String>,
    /// Only entries recorded at or after this time (RFC 3339: 2024-06-01T00:00:00+08:00).
    #[arg(long)]
    since: Option<String>,
    /// Most entries printed, newest first.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(i64).range(1..))]
    limit: i64,
    /// One JSON object a line (`id`, `at`, `actor`, `action`, `target`, `before`, `after`)
    /// instead of tab-separated columns in that order.
    #[arg(long)]
    json: bool,
}

pub(super) async fn run(operations: &Operations, args: AuditArgs) -> anyhow::Result<()> {
    let action = args.action.as_deref().map(Action::parse).transpose().map_err(anyhow::Error::msg)?;
    let since = args
        .since
        .as_deref()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).with_context(|| format!("--since '{t}' is not RFC 3339")))
        .transpose()?
        .map(|t| t.to_utc());
    let mut query = AuditQuery { actor: args.actor, target: args.target, action, since, before_id: None, limit: 0 };
    let mut left = args.limit;
    while left > 0 {
        query.limit = left.min(PAGE);
        let page = operations.audit_log(&query).await?;
        for record in &page.records {
            println!("{}", if args.json { json_line(record) } else { tab_line(record) });
        }
        left -= page.records.len() as i64;
        match page.records.last() {
            Some(last) if page.more => query.before_id = Some(last.id),
            _ => break,
        }
    }
    Ok(())
}

fn at(record: &AuditRecord) -> String {
    record.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn json_line(record: &AuditRecord) -> String {
    serde_json::json!({
        "id": record.id, "at": at(record), "actor": record.actor, "action": record.action,
        "target": record.target, "before": record.before, "after": record.after,
    })
    .to_string()
}

/// Tab-separated; `before` and `after` as compact JSON (`-` when absent), which holds no
/// tab or newline: JSON escapes them inside strings.
fn tab_line(record: &AuditRecord) -> String {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map_or("-".to_owned(), |v| v.to_string());
    let text = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    [
        record.id.to_string(),
        at(record),
        text(&record.actor),
        record.action.clone(),
        text(&record.target),
        json(&record.before),
        json(&record.after),
    ]
    .join("\t")
}
