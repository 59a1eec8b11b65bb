//! What the console's forms are built from: the values a form shows (as posted, or of
//! the thing being edited), the refusals beside the fields they name, labelled inputs,
//! the notice after a change, and a new secret shown once.
//!
//! Every input gets a `label` (its `for` its id) and, when refused, `aria-invalid` and
//! the reason beside it (`aria-describedby`), so that a screen reader reads both.

use super::CatalogLabels;
use maud::{html, Markup};

/// A form's values by field name, in the order given; a name may repeat (checkboxes).
#[derive(Debug, Default, Clone)]
pub struct Values(Vec<(String, String)>);

impl Values {
    pub fn new(pairs: Vec<(String, String)>) -> Values {
        Values(pairs)
    }

    /// The first value given for `name`, trimmed; empty when none.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.trim())
    }

    /// The first value given for `name`, as given (a password's spaces are its own).
    pub fn raw(&self, name: &str) -> String {
        self.0.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()).unwrap_or_default()
    }

    /// Every non-blank value given for `name`, trimmed.
    pub fn all(&self, name: &str) -> Vec<String> {
        let given = self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.trim());
        given.filter(|value| !value.is_empty()).map(str::to_owned).collect()
    }

    /// Every value given for `name`, trimmed, blank ones included: the columns of rows
    /// of fields, which line up by position.
    pub fn all_raw(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(key, _)| key == name).map(|(_, value)| value.trim().to_owned()).collect()
    }

    /// The value for `name`, or `None` when blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|value| !value.is_empty()).map(str::to_owned)
    }

    /// The lines of a text area, each trimmed, blank ones left out.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name).lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
    }

    /// Whether `name` was given this value (a ticked checkbox, a chosen option).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(key, given)| key == name && given.trim() == value)
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.push((name.to_owned(), value.into()));
    }
}

/// Why a form was refused: reasons by field name; the field `""` for the form as a whole.
pub type Errors = [(String, String)];

/// A form's values and refusals, from which its inputs are drawn.
pub struct Form<'a> {
    pub values: &'a Values,
    pub errors: &'a Errors,
}

/// The kinds of one-line input a form uses.
#[derive(Clone, Copy)]
pub enum Kind {
    Text,
    Url,
    Password,
    Number,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Url => "url",
            Kind::Password => "password",
            Kind::Number => "number",
        }
    }
}

impl Form<'_> {
    fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(field, _)| field == name).map(|(_, reason)| reason.as_str())
    }

    /// The refusal of the form as a whole, and a reminder that fields were refused.
    pub fn summary(&self, labels: &CatalogLabels) -> Markup {
        html! {
            @if let Some(reason) = self.error("") {
                p.error role="alert" { (reason) }
            } @else if !self.errors.is_empty() {
                p.error role="alert" { (labels.fix_fields) }
            }
        }
    }

    /// The reason `name` was refused, beside its input.
    pub fn reason(&self, name: &str) -> Markup {
        html! {
            @if let Some(reason) = self.error(name) {
                p.field-error id=(format!("{name}-error")) { (reason) }
            }
        }
    }

    fn described_by(&self, name: &str, hint: Option<&str>) -> Option<String> {
        let ids: Vec<String> =
            [hint.map(|_| format!("{name}-hint")), self.error(name).map(|_| format!("{name}-error"))]
                .into_iter()
                .flatten()
                .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    /// A labelled one-line input named (and identified) `name`.
    pub fn input(&self, name: &str, label: &str, kind: Kind, required: bool, hint: Option<&str>) -> Markup {
        let value = if matches!(kind, Kind::Password) { "" } else { self.values.get(name) };
        html! {
            label for=(name) { (label) }
            input id=(name) type=(kind.as_str()) name=(name) value=(value) required[required]
                autocomplete=[matches!(kind, Kind::Password).then_some("new-password")]
                aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, hint)];
            @if let Some(hint) = hint { p.hint id=(format!("{name}-hint")) { (hint) } }
            (self.reason(name))
        }
    }

    /// A labelled checkbox named (and identified) `name`, ticked when the value is `on`
    /// (what a browser sends for a ticked box).
    pub fn checkbox(&self, name: &str, label: &str, hint: Option<&str>) -> Markup {
        html! {
            div.check {
                input id=(name) type="checkbox" name=(name) value="on" checked[self.values.has(name, "on")]
                    aria-describedby=[self.described_by(name, hint)];
                label for=(name) { (label) }
            }
            @if let Some(hint) = hint { p.hint id=(format!("{name}-hint")) { (hint) } }
            (self.reason(name))
        }
    }

    /// A labelled text area; `hint` says how to write it.
    pub fn textarea(&self, name: &str, label: &str, hint: Option<&str>) -> Markup {
        html! {
            label for=(name) { (label) }
            textarea id=(name) name=(name) rows="3" aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, hint)] { (self.values.get(name)) }
            @if let Some(hint) = hint { p.hint id=(format!("{name}-hint")) { (hint) } }
            (self.reason(name))
        }
    }

    /// A labelled choice of `options` (value, text); the given value is selected.
    pub fn select(&self, name: &str, label: &str, options: &[(String, String)]) -> Markup {
        html! {
            label for=(name) { (label) }
            select id=(name) name=(name) aria-invalid=[self.error(name).map(|_| "true")]
                aria-describedby=[self.described_by(name, None)] {
                @for (value, text) in options {
                    option value=(value) selected[self.values.has(name, value)] { (text) }
                }
            }
            (self.reason(name))
        }
    }

    /// A group of labelled checkboxes named `name`, one per option (value, text,
    /// indentation level).
    pub fn checkboxes(
        &self,
        name: &str,
        legend: &str,
        options: &[(String, String, usize)],
        hint: Option<&str>,
    ) -> Markup {
        html! {
            fieldset.checks aria-describedby=[self.described_by(name, hint)] {
                legend { (legend) }
                @for (i, (value, text, depth)) in options.iter().enumerate() {
                    @let id = format!("{name}-{i}");
                    div class=(format!("check depth-{}", depth.min(&4))) {
                        input id=(id) type="checkbox" name=(name) value=(value) checked[self.values.has(name, value)];
                        label for=(id) { (text) }
                    }
                }
                @if let Some(hint) = hint { p.hint id=(format!("{name}-hint")) { (hint) } }
                (self.reason(name))
            }
        }
    }
}

/// The notice of what was just done (after a form's redirect).
pub fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text { p.notice role="status" { (text) } }
    }
}

/// A new secret, shown this once: in a read-only field to select and copy, with a note
/// that it cannot be shown again.
pub fn shown_once(catalog: &CatalogLabels, heading: &str, secret: &str) -> Markup {
    html! {
        section.card.secret aria-labelledby="secret-heading" role="status" {
            h2 #secret-heading { (heading) }
            p.warning #secret-note { (catalog.copy_it_now) }
            label for="secret" { (catalog.token) }
            input #secret type="text" readonly value=(secret) autocomplete="off" spellcheck="false"
                aria-describedby="secret-note";
        }
    }
}
