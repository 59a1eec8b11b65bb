//! `/admin/users` (admins): every user, the form that adds one; one user's page to
//! change their name, role, columns and language, set a password, disable or enable
//! them, and issue their personal token (shown once).

use super::{column_checks, scope_line, time, CatalogLabels};
use crate::console::form::{notice, shown_once, Form, Kind};
use crate::console::{frame, role_label, Section, Viewer};
use crate::domain::column::{Column, ColumnTree};
use crate::domain::{Role, User};
use crate::publish::html::Page;
use chrono_tz::Tz;
use maud::{html, Markup};

/// What the users page shows.
pub struct UsersView<'a> {
    pub tree: &'a ColumnTree,
    pub users: &'a [User],
    pub columns: &'a [(&'a Column, usize)],
    pub notice: Option<&'a str>,
    pub form: Form<'a>,
    pub timezone: Tz,
}

fn roles(viewer: &Viewer<'_>) -> Vec<(String, String)> {
    [Role::Editor, Role::Viewer, Role::Admin]
        .map(|role| (role.as_str().to_owned(), role_label(viewer.labels, role).to_owned()))
        .to_vec()
}

pub fn users_page(viewer: &Viewer<'_>, view: &UsersView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let content = html! {
        (notice(view.notice))
        section.card aria-labelledby="list-heading" {
            h2 #list-heading { (viewer.labels.users) }
            div.table-wrap { table.stack {
                thead { tr { th { (viewer.labels.username) } th { (labels.real_name) } th { (labels.role) } th { (labels.columns_label) } th { (labels.state) } } }
                tbody {
                    @for user in view.users {
                        tr {
                            td data-label=(viewer.labels.username) { a href=(format!("/admin/users/{}", user.username)) { (user.username) } }
                            td data-label=(labels.real_name) { (user.real_name) }
                            td data-label=(labels.role) { (role_label(viewer.labels, user.role)) }
                            td data-label=(labels.columns_label) { (scope_line(view.tree, &user.column_ids, labels.every_column)) }
                            td data-label=(labels.state) { @if let Some(at) = user.disabled_at { span.bad { (labels.disabled) } " " (time(at, view.timezone)) } @else { (labels.enabled) } }
                        }
                    }
                }
            } }
        }
        section.card aria-labelledby="add-heading" {
            h2 #add-heading { (labels.add_user) }
            form method="post" action="/admin/users" {
                (viewer.csrf_field())
                (view.form.summary(labels))
                (view.form.input("username", viewer.labels.username, Kind::Text, true, Some(labels.slug_hint)))
                (user_fields(viewer, labels, &view.form, view.columns))
                (view.form.input("password", labels.initial_password, Kind::Password, true, Some(viewer.labels.password_rules)))
                button type="submit" { (labels.add_user) }
            }
        }
    };
    frame(viewer, Some(Section::Users), viewer.labels.users, content)
}

/// Name, role and columns: the fields a user is added and changed with.
fn user_fields(viewer: &Viewer<'_>, labels: &CatalogLabels, form: &Form<'_>, columns: &[(&Column, usize)]) -> Markup {
    html! {
        (form.input("name", labels.real_name, Kind::Text, true, None))
        (form.select("role", labels.role, &roles(viewer)))
        (form.checkboxes("columns", labels.columns_label, &column_checks(columns), Some(labels.scope_hint)))
    }
}

/// What one user's page shows.
pub struct UserView<'a> {
    pub user: &'a User,
    pub columns: &'a [(&'a Column, usize)],
    pub notice: Option<&'a str>,
    /// The edit form: the user's values, or as posted when refused.
    pub form: Form<'a>,
    /// The password form, refused.
    pub password_form: Form<'a>,
    /// A personal token just issued, shown this once.
    pub issued: Option<&'a str>,
}

pub fn user_page(viewer: &Viewer<'_>, view: &UserView<'_>) -> Page {
    let labels = CatalogLabels::of(viewer.labels);
    let user = view.user;
    let path = format!("/admin/users/{}", user.username);
    let languages = [
        (String::new(), viewer.labels.site_language.to_owned()),
        ("zh".to_owned(), "中文".to_owned()),
        ("en".to_owned(), "English".to_owned()),
    ];
    let content = html! {
        p { a href="/admin/users" { "← " (viewer.labels.users) } }
        (notice(view.notice))
        @if let Some(token) = view.issued {
            (shown_once(labels, labels.token_issued, token))
        }
        section.card aria-labelledby="edit-heading" {
            h2 #edit-heading { (labels.edit) " " code { (user.username) } }
            form method="post" action=(path) {
                (viewer.csrf_field())
                (view.form.summary(labels))
                (user_fields(viewer, labels, &view.form, view.columns))
                (view.form.select("language", viewer.labels.language, &languages))
                button type="submit" { (labels.save) }
            }
        }
        section.card aria-labelledby="password-heading" {
            h2 #password-heading { (labels.set_password) }
            form method="post" action=(format!("{path}/password")) {
                (viewer.csrf_field())
                (view.password_form.input("password", viewer.labels.new_password, Kind::Password, true, Some(viewer.labels.password_rules)))
                button type="submit" { (labels.set_password) }
            }
        }
        section.card aria-labelledby="token-heading" {
            h2 #token-heading { (labels.personal_token) }
            p.hint { (labels.personal_token_hint) }
            form method="post" action=(format!("{path}/token")) {
                (viewer.csrf_field())
                button type="submit" { (labels.issue_token) }
            }
        }
        section.card.danger aria-labelledby="state-heading" {
            h2 #state-heading { (labels.state) ": " @if user.is_disabled() { (labels.disabled) } @else { (labels.enabled) } }
            @if user.is_disabled() {
                form method="post" action=(format!("{path}/enable")) {
                    (viewer.csrf_field())
                    button type="submit" { (labels.enable) }
                }
            } @else {
                p.hint { (labels.disable_hint) }
                form method="post" action=(format!("{path}/disable")) {
                    (viewer.csrf_field())
                    button.danger type="submit" { (labels.disable) }
                }
            }
        }
    };
    frame(viewer, Some(Section::Users), &user.real_name, content)
}
