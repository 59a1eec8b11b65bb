//! The newsroom console's pages (`/admin/…`), rendered with maud like the public pages:
//! the frame every console page shares (header with the site, the user and sign-out;
//! the sections' navigation; the content), the login and account pages, and the pieces
//! later console pages are built from (`frame`, `csrf_field`). It knows no HTTP: the
//! handlers in `http::console` decide who is signed in and hand the pages what to show.
//!
//! Pages run no script and carry no inline style: one stylesheet, served at
//! `STYLESHEET_PATH` with a long cache (its address changes with its content), and a
//! Content-Security-Policy that allows exactly that.

mod articles;
mod audit;
pub mod catalog;
pub mod corrections;
mod dashboard;
pub mod form;
pub mod labels;
mod pages;
mod paging;
mod parts;
mod quarantine;
mod review;

pub use articles::{article_list_page, article_page, article_path, ArticleFilters, ArticleListView, ArticleView};
pub use audit::{audit_page, AuditFilters, AuditView};
pub use catalog::CatalogLabels;
pub use dashboard::dashboard_page;
pub use labels::Labels;
pub use pages::{account_page, login_page, refusal_page, AccountView, LoginView, Refusal};
pub use paging::{PageLinks, Paging};
pub use quarantine::{held_page, held_path, quarantine_page};
pub use review::{pending_page, pending_path, review_page, PendingView, ReviewView};

use crate::domain::session::ConsoleLanguage;
use crate::domain::{Role, User};
use crate::publish::html::Page;
use maud::{html, Markup, DOCTYPE};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The console's one stylesheet.
pub const STYLESHEET: &str = include_str!("console.css");

/// Where the stylesheet is served: the path the router answers.
pub const STYLESHEET_ROUTE: &str = "/admin/console.css";

/// The stylesheet's address in pages: its route with a digest of its content, so that
/// a long cache never serves an old one to a new page.
pub static STYLESHEET_PATH: LazyLock<String> =
    LazyLock::new(|| format!("{STYLESHEET_ROUTE}?v={}", &hex::encode(Sha256::digest(STYLESHEET))[..12]));

/// The name of the hidden field every state-changing console form carries.
pub const CSRF_FIELD: &str = "csrf";

/// What console pages may load: their stylesheet, nothing else; forms post only here;
/// no site may frame them.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'; object-src 'none'";

/// The sections of the console, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Articles,
    Review,
    Quarantine,
    Columns,
    Outlets,
    Sources,
    Partners,
    Users,
    Audit,
    Account,
}

impl Section {
    const NAVIGATION: [Section; 10] = [
        Section::Dashboard,
        Section::Articles,
        Section::Review,
        Section::Quarantine,
        Section::Columns,
        Section::Outlets,
        Section::Sources,
        Section::Partners,
        Section::Users,
        Section::Audit,
    ];

    /// Its address.
    pub fn path(self) -> &'static str {
        match self {
            Section::Dashboard => "/admin/",
            Section::Articles => "/admin/articles",
            Section::Review => "/admin/review",
            Section::Quarantine => "/admin/quarantine",
            Section::Columns => "/admin/columns",
            Section::Outlets => "/admin/outlets",
            Section::Sources => "/admin/sources",
            Section::Partners => "/admin/partners",
            Section::Users => "/admin/users",
            Section::Audit => "/admin/audit",
            Section::Account => "/admin/account",
        }
    }

    pub fn label(self, labels: &Labels) -> &'static str {
        match self {
            Section::Dashboard => labels.dashboard,
            Section::Articles => labels.articles,
            Section::Review => labels.review.queue,
            Section::Quarantine => labels.quarantine,
            Section::Columns => labels.columns,
            Section::Outlets => labels.outlets,
            Section::Sources => labels.sources,
            Section::Partners => labels.partners,
            Section::Users => labels.users,
            Section::Audit => labels.audit,
            Section::Account => labels.account,
        }
    }

    /// Whether the section is shown to this role (users, partners and the audit log are the admin's alone).
    fn shown_to(self, role: Role) -> bool {
        !matches!(self, Section::Users | Section::Partners | Section::Audit) || role == Role::Admin
    }
}

/// Who is looking at a console page: what the frame shows of them and their session.
pub struct Viewer<'a> {
    pub site_name: &'a str,
    pub user: &'a User,
    /// The session's CSRF secret, which every form echoes (`csrf_field`).
    pub csrf: &'a str,
    pub labels: &'static Labels,
}

impl Viewer<'_> {
    /// The hidden field a state-changing form carries; one line in every such form.
    pub fn csrf_field(&self) -> Markup {
        csrf_field(self.csrf)
    }
}

/// The hidden field carrying the session's CSRF secret.
pub fn csrf_field(secret: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(secret); }
}

/// The language a user reads the console in: their own choice, else the site's.
pub fn language_of(user: Option<&User>, site_language: &str) -> ConsoleLanguage {
    user.and_then(|user| user.language).unwrap_or_else(|| ConsoleLanguage::of_site(site_language))
}

/// A role as the console names it.
pub fn role_label(labels: &Labels, role: Role) -> &'static str {
    match role {
        Role::Admin => labels.role_admin,
        Role::Editor => labels.role_editor,
        Role::Viewer => labels.role_viewer,
    }
}

/// A console page: the header (site, user and role, account, sign-out), the sections'
/// navigation with `current` marked, and `content` under the heading `title`.
pub fn frame(viewer: &Viewer<'_>, current: Option<Section>, title: &str, content: Markup) -> Page {
    let labels = viewer.labels;
    let body = html! {
        a.skip href="#content" { (labels.skip_to_content) }
        header.bar {
            a.site href=(Section::Dashboard.path()) { (viewer.site_name) " · " (labels.console) }
            span.who {
                a.account href=(Section::Account.path()) { (viewer.user.real_name) }
                span.role { (role_label(labels, viewer.user.role)) }
            }
            form method="post" action="/admin/logout" {
                (viewer.csrf_field())
                button type="submit" { (labels.sign_out) }
            }
        }
        div.layout {
            nav.sections aria-label=(labels.navigation) {
                ul {
                    @for section in Section::NAVIGATION.into_iter().filter(|s| s.shown_to(viewer.user.role)) {
                        li {
                            a href=(section.path()) aria-current=[(current == Some(section)).then_some("page")] {
                                (section.label(labels))
                            }
                        }
                    }
                }
            }
            main #content {
                h1 { (title) }
                (content)
            }
        }
    };
    document(labels, &format!("{title} · {}", viewer.site_name), body)
}

/// A whole HTML document in the console's language, with its stylesheet and policy.
fn document(labels: &Labels, title: &str, body: Markup) -> Page {
    let html = html! {
        (DOCTYPE)
        html lang=(labels.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                link rel="stylesheet" href=(STYLESHEET_PATH.as_str());
            }
            body { (body) }
        }
    };
    Page { html: html.into_string(), content_security_policy: CONTENT_SECURITY_POLICY.to_owned() }
}
