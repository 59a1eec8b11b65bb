//! The console's own pages: login, the home (a welcome until the dashboard fills it),
//! the user's account (language, password, sessions) and the refusals (403, 404).

use super::{document, frame, Labels, Section, Viewer};
use crate::domain::session::ConsoleLanguage;
use crate::operations::SessionEntry;
use crate::publish::html::Page;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

/// What the login page shows.
pub struct LoginView<'a> {
    pub site_name: &'a str,
    pub labels: &'static Labels,
    /// The username as typed before, kept in the field.
    pub username: &'a str,
    /// Where to go after signing in (a console path), carried through the form.
    pub next: Option<&'a str>,
    /// The pre-session token, also in a cookie: the form must come from this page.
    pub login_token: &'a str,
    /// Why the form is shown again: a refused, throttled or ended session's message.
    pub message: Option<String>,
}

/// The login form: `username`, `password`, and hidden `next` and `login_token`.
pub fn login_page(view: &LoginView<'_>) -> Page {
    let labels = view.labels;
    let body = html! {
        main.login #content {
            h1 { (labels.sign_in) }
            p.site { (view.site_name) " · " (labels.console) }
            div.card {
                @if let Some(message) = &view.message {
                    p.error role="alert" { (message) }
                }
                form method="post" action="/admin/login" {
                    input type="hidden" name="login_token" value=(view.login_token);
                    @if let Some(next) = view.next {
                        input type="hidden" name="next" value=(next);
                    }
                    label for="username" { (labels.username) }
                    input #username type="text" name="username" value=(view.username) required
                        autocomplete="username" autocapitalize="none" spellcheck="false" autofocus;
                    label for="password" { (labels.password) }
                    input #password type="password" name="password" required autocomplete="current-password";
                    button type="submit" { (labels.sign_in) }
                }
            }
        }
    };
    document(labels, &format!("{} · {}", labels.sign_in, view.site_name), body)
}

/// The console's home: a welcome, until the dashboard takes its place.
pub fn home_page(viewer: &Viewer<'_>) -> Page {
    let labels = viewer.labels;
    let content = html! {
        div.card { p { (labels.welcome_text) } }
    };
    frame(viewer, Some(Section::Dashboard), &Labels::fill(labels.welcome, &viewer.user.real_name), content)
}

/// What the account page shows besides the viewer.
pub struct AccountView<'a> {
    /// The user's own language choice; `None`: the site's.
    pub language: Option<ConsoleLanguage>,
    pub sessions: &'a [SessionEntry],
    pub timezone: Tz,
    /// A confirmation of what was just saved.
    pub notice: Option<&'a str>,
    /// Refusals of the password form, by field (`current_password`, `new_password`).
    pub errors: &'a [(&'a str, String)],
}

/// The user's account: console language, password change, and their sessions.
pub fn account_page(viewer: &Viewer<'_>, view: &AccountView<'_>) -> Page {
    let labels = viewer.labels;
    let error_for = |field: &str| view.errors.iter().find(|(f, _)| *f == field).map(|(_, e)| e.clone());
    let choices =
        [(None, labels.site_language), (Some(ConsoleLanguage::Zh), "中文"), (Some(ConsoleLanguage::En), "English")];
    let content = html! {
        @if let Some(notice) = view.notice {
            p.notice role="status" { (notice) }
        }
        section.card aria-labelledby="language-heading" {
            h2 #language-heading { (labels.language) }
            form method="post" action="/admin/account/language" {
                (viewer.csrf_field())
                label for="language" { (labels.language) }
                select #language name="language" {
                    @for (value, name) in choices {
                        option value=(value.map_or("", ConsoleLanguage::as_str)) selected[value == view.language] { (name) }
                    }
                }
                button type="submit" { (labels.save) }
            }
        }
        section.card aria-labelledby="password-heading" {
            h2 #password-heading { (labels.change_password) }
            form method="post" action="/admin/account/password" {
                (viewer.csrf_field())
                label for="current_password" { (labels.current_password) }
                input #current_password type="password" name="current_password" required autocomplete="current-password"
                    aria-describedby=[error_for("current_password").map(|_| "current_password-error")];
                @if let Some(error) = error_for("current_password") {
                    p.field-error #current_password-error { (error) }
                }
                label for="new_password" { (labels.new_password) }
                input #new_password type="password" name="new_password" required minlength="12" maxlength="256"
                    autocomplete="new-password" aria-describedby="new_password-hint";
                p.hint #new_password-hint { (labels.password_rules) }
                @if let Some(error) = error_for("new_password") {
                    p.field-error role="alert" { (error) }
                }
                button type="submit" { (labels.change_password) }
            }
        }
        section.card aria-labelledby="sessions-heading" {
            h2 #sessions-heading { (labels.sessions) }
            div.table-wrap {
                table {
                    thead { tr { th { (labels.signed_in_at) } th { (labels.last_seen) } th { (labels.address) } th { (labels.browser) } } }
                    tbody {
                        @for session in view.sessions {
                            tr {
                                td { (time(session.created_at, view.timezone)) @if session.current { " (" (labels.this_session) ")" } }
                                td { (time(session.last_seen_at, view.timezone)) }
                                td { (session.address) }
                                td.agent { (session.user_agent) }
                            }
                        }
                    }
                }
            }
        }
    };
    frame(viewer, Some(Section::Account), labels.account, content)
}

fn time(at: DateTime<Utc>, zone: Tz) -> Markup {
    let local = at.with_timezone(&zone);
    html! { time datetime=(at.to_rfc3339()) { (local.format("%Y-%m-%d %H:%M")) } }
}

/// Why a console request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A state-changing request without its session's CSRF token, or from another origin.
    Forbidden,
    /// What the user's role or column scope does not allow.
    NotAllowed,
    NotFound,
}

/// The page of a refusal, with a way back into the console.
pub fn refusal_page(labels: &'static Labels, site_name: &str, refusal: Refusal) -> Page {
    let (title, text) = match refusal {
        Refusal::Forbidden => (labels.forbidden, labels.forbidden_text),
        Refusal::NotAllowed => (labels.forbidden, super::CatalogLabels::of(labels).not_allowed),
        Refusal::NotFound => (labels.not_found, labels.not_found_text),
    };
    let body = html! {
        main.login #content {
            h1 { (title) }
            div.card {
                p { (text) }
                p { a href=(Section::Dashboard.path()) { (site_name) " · " (labels.console) } }
            }
        }
    };
    document(labels, &format!("{title} · {site_name}"), body)
}
