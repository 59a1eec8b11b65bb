//! `POST /api/v1/sources/preview`: what a source would bring, before it is added.

use super::super::admin::json_body;
use super::super::auth::Staff;
use super::super::error::{ApiError, ErrorBody};
use super::super::AppState;
use crate::catalog::SourcePreviewForm;
use crate::ingest::preview::{Preview, PreviewItem};
use crate::publish::rfc3339;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// What a source would bring, read as a poll reads it; nothing was stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcePreview {
    /// Where the feed or list page was finally found (after redirects).
    pub url: String,
    /// Article links found on the list page, or items in the feed.
    pub found: usize,
    /// The first 10 of them, read.
    pub items: Vec<PreviewedItem>,
    /// What was wrong with the document, though items could be read from it.
    pub warnings: Vec<String>,
}

/// One item, each field as it would be stored (titles and credits plain text, HTML
/// sanitised, hidden elements removed); null where it has none.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewedItem {
    /// The address the list or feed links it under.
    pub link: String,
    /// Its original URL, its identity: an article page's canonical URL on the same site,
    /// else the address it was fetched from.
    #[schema(required = true)]
    pub original_url: Option<String>,
    #[schema(required = true)]
    pub title: Option<String>,
    #[schema(format = DateTime, required = true)]
    pub published: Option<String>,
    #[schema(required = true)]
    pub author: Option<String>,
    /// The origin the page names (来源, e.g. 新华社).
    #[schema(required = true)]
    pub credit: Option<String>,
    /// HTML.
    #[schema(required = true)]
    pub summary: Option<String>,
    /// HTML.
    #[schema(required = true)]
    pub content: Option<String>,
    #[schema(required = true)]
    pub image: Option<String>,
    /// Hidden elements (likely injected spam) removed from its HTML.
    pub hidden_removed: u32,
    /// What was doubtful or wrong in reading it (a page that could not be fetched or
    /// read, a time not found…), and why it would be refused.
    pub problems: Vec<String>,
}

fn previewed(item: PreviewItem) -> PreviewedItem {
    PreviewedItem {
        link: item.link,
        original_url: item.original_url,
        title: item.title,
        published: item.published.map(rfc3339),
        author: item.author,
        credit: item.credit,
        summary: item.summary,
        content: item.content,
        image: item.image,
        hidden_removed: item.hidden_removed,
        problems: item.problems,
    }
}

fn preview_view(preview: Preview) -> SourcePreview {
    SourcePreview {
        url: preview.url,
        found: preview.found,
        items: preview.items.into_iter().map(previewed).collect(),
        warnings: preview.warnings,
    }
}

/// Preview a source
///
/// Fetches a feed or list page as a poll of the source would (through the same address
/// guard, size and time limits), reads up to 10 items (for an html source or a full-text
/// feed, their pages), and answers with each field as it would be stored. Nothing is
/// stored. A page that cannot be read is an item with its problem; a feed or list page
/// that cannot be fetched or read is a 422 naming `url` with why (the HTTP status, the
/// network error, what is wrong with the document).
///
/// **Token:** the admin token or an admin's or editor's user token; a viewer's is refused
/// (403).
#[utoipa::path(
    post,
    path = "/api/v1/sources/preview",
    operation_id = "previewSource",
    tag = "sources",
    security(("admin" = [])),
    request_body(content = SourcePreviewForm, content_type = "application/json", description = "At most 64 KiB."),
    responses(
        (status = 200, description = "What the source would bring.", body = SourcePreview),
        (status = 409, description = "The form names an outlet that does not exist (in `fields`).", body = ErrorBody),
        (status = 422, description = "A field is refused (named in `fields`): among them `url` when the feed or \
            list page could not be fetched (the outlet's server failed, refused or timed out) or read, or took over 60 s.", body = ErrorBody),
        (status = 429, description = "Two previews are running on this instance already.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
pub(super) async fn preview_source(
    staff: Staff,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<SourcePreview>, ApiError> {
    staff.may_change(&state.operations.column_tree().await?, &[])?;
    let form: SourcePreviewForm = json_body(&headers, body).await?;
    Ok(Json(preview_view(state.operations.preview_source(form).await?)))
}
