//! The audit log, for admins: who changed what, newest first, filtered by actor, action,
//! target and day, a page at a time; each entry's fields before and after side by side.
//! Recorded values are shown as text (maud escapes them), whatever a stranger typed into
//! them; the log holds no secret to hide.

use super::paging::{list_href, pager, PageLinks};
use super::parts::time;
use super::{frame, Section, Viewer};
use crate::domain::audit::Action;
use crate::publish::html::Page;
use crate::store::AuditRecord;
use chrono_tz::Tz;
use maud::{html, Markup};
use serde_json::{Map, Value};

/// The log's filters as typed into its form (and carried in its links).
#[derive(Debug, Clone, Default)]
pub struct AuditFilters {
    /// Who: `user:NAME`, `admin-token`, ….
    pub actor: String,
    /// An `Action`'s machine name.
    pub action: String,
    /// What: `column:SLUG`, `article:ID`, ….
    pub target: String,
    /// Recorded on or after this day (`YYYY-MM-DD`, the site's zone).
    pub since: String,
}

impl AuditFilters {
    /// The filters as the log's address carries them.
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        [("actor", &self.actor), ("action", &self.action), ("target", &self.target), ("since", &self.since)]
    }
}

/// What the log's page shows.
pub struct AuditView<'a> {
    pub filters: &'a AuditFilters,
    /// Refusals of the filters, by field.
    pub errors: &'a [(&'static str, String)],
    pub entries: &'a [AuditRecord],
    pub links: PageLinks,
    pub zone: Tz,
}

/// The audit log with its filter form.
pub fn audit_page(viewer: &Viewer<'_>, view: &AuditView<'_>) -> Page {
    let labels = viewer.labels;
    let l = &labels.newsroom;
    let f = view.filters;
    let error_for = |field: &str| view.errors.iter().find(|(name, _)| *name == field).map(|(_, e)| e.as_str());
    let invalid = |field: &str| error_for(field).map(|_| "true");
    let described = |field: &str, hint: Option<&str>| {
        let ids: Vec<String> =
            [hint.map(|_| format!("{field}-hint")), error_for(field).map(|_| format!("{field}-error"))]
                .into_iter()
                .flatten()
                .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    let error = |field: &str| {
        html! { @if let Some(error) = error_for(field) { p.field-error id=(format!("{field}-error")) { (error) } } }
    };
    let text = |field: &'static str, label: &str, value: &str, hint: &str| {
        html! {
            div.field {
                label for=(field) { (label) }
                input id=(field) type="text" name=(field) value=(value) autocapitalize="none" spellcheck="false"
                    aria-invalid=[invalid(field)] aria-describedby=[described(field, Some(hint))];
                p.hint id=(format!("{field}-hint")) { (hint) }
                (error(field))
            }
        }
    };
    let filter_by = |name: &str, value: &str| list_href(Section::Audit.path(), &[(name, value)], None, &[]);
    let content = html! {
        form.filters method="get" action=(Section::Audit.path()) role="search" aria-label=(l.filters) {
            (text("actor", l.actor, &f.actor, l.actor_hint))
            div.field {
                label for="action" { (l.action) }
                select #action name="action" aria-invalid=[invalid("action")] aria-describedby=[described("action", None)] {
                    option value="" { (l.any) }
                    @for action in Action::ALL {
                        option value=(action.as_str()) selected[f.action == action.as_str()] { (action.as_str()) }
                    }
                }
                (error("action"))
            }
            (text("target", l.target, &f.target, l.target_hint))
            div.field {
                label for="since" { (l.since_date) }
                input #since type="date" name="since" value=(f.since)
                    aria-invalid=[invalid("since")] aria-describedby=[described("since", None)];
                (error("since"))
            }
            div.actions {
                button type="submit" { (l.apply) }
                a href=(Section::Audit.path()) { (l.clear) }
            }
        }
        @if view.entries.is_empty() {
            p.card.muted { (l.no_entries) }
        } @else {
            table.stack.audit {
                thead { tr {
                    th scope="col" { (l.at) } th scope="col" { (l.actor) } th scope="col" { (l.action) }
                    th scope="col" { (l.target) } th scope="col" { (l.changes) }
                } }
                tbody {
                    @for entry in view.entries {
                        tr {
                            td data-label=(l.at) { (time(entry.at, view.zone)) }
                            td.code data-label=(l.actor) { a href=(filter_by("actor", &entry.actor)) { (entry.actor) } }
                            td.code data-label=(l.action) { (entry.action) }
                            td.code data-label=(l.target) { a href=(filter_by("target", &entry.target)) { (entry.target) } }
                            td.wide data-label=(l.changes) { (changes(entry, l)) }
                        }
                    }
                }
            }
        }
        (pager(&view.links, l))
    };
    frame(viewer, Some(Section::Audit), labels.audit, content)
}

/// An entry's fields: one row a field, its value before and after.
fn changes(entry: &AuditRecord, l: &super::labels::NewsroomLabels) -> Markup {
    let (before, after) = (entry.before.as_ref().map(as_fields), entry.after.as_ref().map(as_fields));
    let mut names: Vec<&String> = Vec::new();
    for fields in [&before, &after].into_iter().flatten() {
        for name in fields.keys() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let cell = |side: &Option<Map<String, Value>>, name: &str| side.as_ref().and_then(|f| f.get(name)).map(shown);
    html! {
        @if !names.is_empty() {
            table.changes {
                thead { tr { th scope="col" { (l.field) } th scope="col" { (l.before) } th scope="col" { (l.after) } } }
                tbody {
                    @for name in names {
                        tr {
                            th scope="row" { (name) }
                            td { @if let Some(value) = cell(&before, name) { (value) } }
                            td { @if let Some(value) = cell(&after, name) { (value) } }
                        }
                    }
                }
            }
        }
    }
}

/// A side of an entry as fields: its object, or anything else as one unnamed field.
fn as_fields(value: &Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields.clone(),
        other => Map::from_iter([(String::new(), other.clone())]),
    }
}

/// A recorded value as text: a string as it is, null as a muted dash, anything else as JSON.
fn shown(value: &Value) -> Markup {
    match value {
        Value::String(text) => html! { (text) },
        Value::Null => html! { span.muted { "–" } },
        other => html! { code { (other.to_string()) } },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(before: Option<Value>, after: Option<Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: chrono::Utc::now(),
            actor: "user:wangfang".into(),
            action: "column.edit".into(),
            target: "column:zhuanti".into(),
            before,
            after,
        }
    }

    #[test]
    fn each_field_is_one_row_with_its_value_before_and_after_escaped() {
        let l = &super::super::labels::for_language(crate::domain::session::ConsoleLanguage::En).newsroom;
        let edit = record(
            Some(json!({"title": "<script>alert(1)</script>", "parent": null})),
            Some(json!({"title": "专题", "parent": "party", "columns": ["a", "b"]})),
        );
        let shown = changes(&edit, l).into_string();
        assert_eq!(shown.matches("<th scope=\"row\">").count(), 3, "{shown}");
        assert!(shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !shown.contains("<script>"), "{shown}");
        assert!(shown.contains("<td>专题</td>") && shown.contains("[&quot;a&quot;,&quot;b&quot;]"), "{shown}");
        assert_eq!(changes(&record(None, None), l).into_string(), "", "nothing recorded, no table");
    }
}
