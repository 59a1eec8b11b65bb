//! A source to preview: what adding it would take, checked as adding it checks it, so
//! that what the preview reads is what the source would poll.

use super::{fields, reading, CatalogError};
use crate::domain::errors::FieldErrors;
use crate::domain::source::SourceKind;
use crate::domain::text::{http_url, time_zone};
use crate::ingest::page::PageRules;
use crate::ingest::preview::PreviewRequest;
use crate::store::{Store, StoreError};
use serde::Deserialize;

/// A source to preview: fetched and read as a poll would, nothing stored. Unknown fields
/// are refused (400).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "html", "url": "http://www.cjxww.cn/list-407.html", "outlet": "cjrb"}))]
pub struct SourcePreviewForm {
    /// The feed's address, or the list page's (`kind` `html`).
    #[schema(value_type = fields::WebUrl, required = true)]
    pub url: Option<String>,
    /// `feed` or `html`; absent or `null`: `feed`.
    #[schema(value_type = Option<fields::SourceKindName>)]
    pub kind: Option<String>,
    /// Extraction rules, as a source takes them (422 naming `rules.FIELD` for a selector
    /// that does not parse).
    #[schema(nullable = true)]
    pub rules: Option<PageRules>,
    /// Read each item's page for its content (feeds only).
    pub full_text: Option<bool>,
    /// The outlet it would be added for: its zone reads naive times, and its domains
    /// decide which items it may take (those it may not are shown with the reason).
    #[schema(value_type = Option<fields::Slug>)]
    pub outlet: Option<String>,
    /// The zone naive times are read in when no outlet is named; absent: the site's.
    #[schema(value_type = Option<fields::TimeZone>)]
    pub zone: Option<String>,
}

/// Checks a preview form; `site_zone` reads naive times when it names neither an outlet
/// nor a zone.
pub async fn preview_request(
    store: &Store,
    form: SourcePreviewForm,
    site_zone: chrono_tz::Tz,
) -> Result<PreviewRequest, CatalogError> {
    let mut errors = FieldErrors::new();
    let url = errors.check("url", http_url(form.url.as_deref().unwrap_or("")));
    let kind = errors.check("kind", form.kind.as_deref().map_or(Ok(SourceKind::Feed), SourceKind::parse));
    let full_text = form.full_text.unwrap_or(false);
    let rules = kind.and_then(|kind| reading(kind, form.rules.as_ref(), full_text, &mut errors));
    let zone = form.zone.as_deref().and_then(|z| errors.check("zone", time_zone(z)));
    let outlet = match form.outlet.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(slug) => match store.outlet_by_slug(slug).await {
            Ok(outlet) => Some(outlet),
            Err(StoreError::NotFound(_)) => {
                return Err(CatalogError::Conflicting(FieldErrors::single(
                    "outlet",
                    format!("unknown outlet '{slug}'"),
                )))
            }
            Err(other) => return Err(other.into()),
        },
    };
    match (url, kind, rules) {
        (Some(url), Some(kind), Some(_)) if errors.is_empty() => Ok(PreviewRequest {
            kind,
            url,
            rules: form.rules.unwrap_or_default(),
            full_text,
            zone: outlet.as_ref().map(|o| o.timezone).or(zone).unwrap_or(site_zone),
            outlet,
        }),
        _ => Err(CatalogError::Invalid(errors)),
    }
}
