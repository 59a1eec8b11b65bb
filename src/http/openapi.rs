//! The OpenAPI 3.1 description of the HTTP interface, derived from the handlers' own
//! request and response types (utoipa): each area declares its operations on its
//! handlers (`#[utoipa::path]`) and lists them in its own `Api`; this module merges
//! them, adds the answers every operation of a kind shares (the statuses of the shared
//! extractors: tokens, JSON bodies, path parameters) and serves the result, built once.
//!
//! What is written here by hand is only what no Rust type carries: the introduction,
//! the token schemes and the webhooks syndic sends (`openapi_webhooks.json`).

use super::error::ErrorBody;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::OnceLock;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The security scheme of the admin token.
pub const ADMIN: &str = "admin";
/// The security scheme of outlets' ingest tokens.
pub const OUTLET: &str = "outlet";
/// The security scheme of partners' tokens.
pub const PARTNER: &str = "partner";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "syndic",
        description = include_str!("openapi.md"),
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    servers((url = "/")),
    tags(
        (name = "columns", description = "Admin: the column tree."),
        (name = "outlets", description = "Admin: outlets and their ingest tokens."),
        (name = "sources", description = "Admin: outlets' feeds that syndic polls."),
        (name = "quarantine", description = "Admin: articles held by the content policy."),
        (name = "review", description = "Staff: articles held for review before publish; approving, rejecting."),
        (name = "articles", description = "Staff: every article whatever its standing; reinstating, moving."),
        (name = "dashboard", description = "Staff: today's and this week's figures, source health, repost lag."),
        (name = "partners", description = "Admin: partners and their tokens."),
        (name = "users", description = "Admin: users, their roles and column scopes."),
        (name = "audit", description = "Admin: the audit log of every change people make."),
        (name = "ingest", description = "Outlets: push, import and withdraw articles."),
        (name = "partner-api", description = "Partners: the incremental article feed, and search."),
        (name = "websub", description = "The WebSub hub for syndic's feeds, and the callbacks of syndic's subscriptions to outlets' hubs."),
        (name = "feeds", description = "Public RSS, Atom and JSON feeds, and RFC 5005 archives."),
        (name = "pages", description = "Public HTML pages."),
        (name = "crawling", description = "robots.txt, sitemaps, IndexNow key."),
        (name = "operations", description = "Health, metrics and this document."),
    ),
    components(schemas(ErrorBody)),
    modifiers(&TokenSchemes),
)]
struct Introduction;

/// The three kinds of bearer token, one scheme each, so that every operation says
/// which it takes.
struct TokenSchemes;

impl Modify for TokenSchemes {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        for (name, what) in [
            (
                ADMIN,
                "The admin token (`SYNDIC_ADMIN_TOKEN`), or a user's personal token (`syu_…`): an admin's \
                 is taken as the admin token; an editor's or viewer's to read the columns, outlets, sources, \
                 articles, quarantine and dashboard (a user with a column scope sees what lies within its \
                 columns), and an editor's to release, reject, approve, withdraw, reinstate and move the articles, and to \
                 manage the sources, of its columns.",
            ),
            (OUTLET, "An outlet's ingest token (`syo_…`)."),
            (PARTNER, "A partner's token (`syp_…`)."),
        ] {
            let mut scheme = Http::new(HttpAuthScheme::Bearer);
            scheme.description = Some(format!("`Authorization: Bearer <token>`. {what}"));
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
    }
}

/// The whole description as JSON, built on first use.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut document = Introduction::openapi();
        for area in [
            super::admin::Api::openapi(),
            super::sources::Api::openapi(),
            super::quarantine::Api::openapi(),
            super::review::Api::openapi(),
            super::articles::Api::openapi(),
            super::dashboard::Api::openapi(),
            super::partners::Api::openapi(),
            super::search::Api::openapi(),
            super::users::Api::openapi(),
            super::audit::Api::openapi(),
            super::ingest::Api::openapi(),
            super::hub::Api::openapi(),
            super::hub_callback::Api::openapi(),
            super::feeds::Api::openapi(),
            super::pages::Api::openapi(),
            super::sitemaps::Api::openapi(),
            super::media::Api::openapi(),
            super::Api::openapi(),
        ] {
            document.merge(area);
        }
        for operation in operations(&mut document) {
            add_shared_answers(operation);
        }
        let mut json = serde_json::to_value(&document).expect("an OpenAPI document serialises");
        json["webhooks"] =
            serde_json::from_str(include_str!("openapi_webhooks.json")).expect("the webhooks are valid JSON");
        serde_json::to_string_pretty(&json).expect("a JSON value serialises")
    })
}

/// This OpenAPI document
///
/// The OpenAPI 3.1 description of syndic's HTTP interface. No token needed.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "openapi_document",
    tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object, content_type = "application/json")),
)]
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], document())
}

fn operations(document: &mut utoipa::openapi::OpenApi) -> impl Iterator<Item = (&str, &mut Operation)> {
    document.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        .map(move |operation| (path.as_str(), operation))
    })
}

/// Adds what an operation answers through the extractors it shares with others, unless
/// the operation describes that status itself: a bearer token (401; the admin API
/// without a configured token, 403; an outlet token over its rate limit, 429), a JSON
/// body (400 malformed, 413 too large, 415 not JSON, 422 invalid), a path parameter
/// (`params::Params`: 400 under `/api/`, else 404), and under `/api/` an internal
/// error (500).
fn add_shared_answers((path, operation): (&str, &mut Operation)) {
    let api = path.starts_with("/api/");
    let schemes: Vec<String> = operation
        .security
        .iter()
        .flatten()
        .flat_map(|requirement| serde_json::to_value(requirement).ok())
        .flat_map(|value| value.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default())
        .collect();
    let json_body = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.keys().any(|media| media.starts_with("application/json")));
    let path_parameters = operation.parameters.iter().flatten().any(|p| matches!(p.parameter_in, ParameterIn::Path));
    let mut add = |status: &str, description: &str, header: Option<(&str, &str)>| {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| {
            let mut response = ResponseBuilder::new().description(description);
            if api {
                response = response.content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                );
            }
            if let Some((name, what)) = header {
                response = response.header(name, HeaderBuilder::new().description(Some(what)).build());
            }
            RefOr::T(response.build())
        });
    };
    if !schemes.is_empty() {
        add("401", "No valid bearer token of a kind the operation takes.", Some(("WWW-Authenticate", "`Bearer`")));
    }
    if schemes.iter().any(|s| s == ADMIN) {
        add("403", "The admin API is off (no admin token is configured), or the user's role may not do this.", None);
    }
    if schemes.iter().any(|s| s == OUTLET) {
        add("429", "The token's ingest rate limit is reached.", Some(("Retry-After", "Seconds to wait.")));
        if !schemes.iter().any(|s| s == ADMIN) {
            add("403", "The admin token or a partner's token: the operation needs an outlet's ingest token.", None);
        }
    }
    if json_body {
        add("400", "Malformed JSON, or a value of the wrong JSON type (named in `fields`).", None);
        add("413", "The body is larger than the operation takes.", None);
        add("415", "The body is not `application/json`.", None);
        add("422", "Well-formed input that fails validation; `fields` names each field.", None);
    }
    if path_parameters {
        if api {
            add("400", "A path parameter that is not in its canonical form.", None);
        } else {
            add("404", "No such document (a path parameter in any but its canonical form included).", None);
        }
    }
    if api {
        add("500", "An internal error (logged, never described to the client).", None);
    }
}

/// The schema of an opaque paging cursor: a string matching `pattern`, which says
/// exactly which strings are cursors (as the handler's decoding accepts them).
pub(super) fn cursor_schema(pattern: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).description(Some(description)).into()
}

/// The schema of a page's `limit`: a whole number from 1 to `most`, `default` when absent.
pub(super) fn page_size_schema(most: i64, default: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(most))
        .default(Some(default.into()))
        .into()
}
