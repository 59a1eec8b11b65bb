//! The console's corrections of an article: its edit form, and the decision on an
//! outlet's correction after an edit. Who may is decided as for the staff API (an
//! editor within its columns, no viewer), and each change goes through the operation
//! `PATCH /api/v1/articles/{id}` and `POST …/outlet-correction` call, recorded with the
//! user as its actor; the PRG way: 303 to the article's page with `?done=`, or its page
//! again with each refusal beside its field. An edit form opened before the article
//! last changed is refused whole (409), never saved over the change.

use super::articles::{answer, failure, may_change, staff, Outcome};
use super::{refusal, see_other, CsrfForm};
use crate::catalog::fields::ObjectOnly;
use crate::catalog::CatalogError;
use crate::console::corrections::{form_version, VERSION};
use crate::console::form::Values;
use crate::console::{article_path, Refusal};
use crate::domain::correction::Take;
use crate::domain::Article;
use crate::http::{ApiError, AppState};
use crate::ingest::edit::ArticleEdit;
use crate::ingest::push::PushImage;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/articles/{id}/edit", post(edit))
        .route("/admin/articles/{id}/outlet-correction", post(resolve))
}

/// What the form changes of `article`: only the fields whose posted value differs from
/// the one shown, so that submitting it untouched edits nothing (a browser sends a text
/// area's line breaks as CR LF). The form was drawn from `article` as it is now (its
/// version checked), so what is shown is what the editor saw.
fn changes(values: &Values, article: &Article) -> ArticleEdit {
    let posted = |name: &str| values.raw(name).replace("\r\n", "\n").trim().to_owned();
    let changed = |name: &str, shown: Option<&str>| {
        let value = posted(name);
        (value != shown.unwrap_or("").trim()).then_some(value)
    };
    let image = article.image.as_ref();
    let (url, caption) = (posted("image_url"), posted("image_caption"));
    let image_changed = url != image.map_or("", |i| i.url.as_str())
        || caption != image.and_then(|i| i.caption.as_deref()).unwrap_or("");
    ArticleEdit {
        title: changed("title", Some(&article.title)),
        subtitle: changed("subtitle", article.subtitle.as_deref()).map(Some),
        summary: changed("summary", article.summary.as_deref()).map(Some),
        content_html: changed("content_html", article.content_html.as_deref()).map(Some),
        columns: None,
        image: image_changed.then(|| {
            (!url.is_empty()).then(|| PushImage { object: ObjectOnly::default(), url, caption: Some(caption) })
        }),
    }
}

/// Saves the edit form; its refusals are shown beside their fields (422).
async fn edit(State(state): State<AppState>, Path(id): Path<i64>, form: CsrfForm<Vec<(String, String)>>) -> Response {
    let CsrfForm(console, pairs) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    let values = Values::new(pairs);
    let found = match state.operations.staff_article(id).await {
        Ok(Some(found)) => found,
        Ok(None) => return refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => return failure(error),
    };
    if values.get(VERSION) != form_version(&found.article) {
        // Posted from an older version: saving it would put back what changed since.
        // The form keeps its old version, so that only a reload saves.
        let errors = [(String::new(), console.labels.corrections.changed_since.to_owned())];
        let outcome = Outcome { edit: Some((&values, &errors)), ..Outcome::default() };
        return answer(&state, &console, id, StatusCode::CONFLICT, outcome).await;
    }
    let input = changes(&values, &found.article);
    let actor = staff(&console).actor();
    let done = match state.operations.prepare_edit(id, input).await {
        Ok(edit) => state.operations.edit_article(&actor, id, edit).await,
        Err(error) => Err(error),
    };
    match done {
        Ok(()) => see_other(&format!("{}?done=edited", article_path(id))),
        Err(CatalogError::Invalid(fields)) => {
            let errors: Vec<(String, String)> = fields.iter().map(|(f, r)| (f.clone(), r.clone())).collect();
            let outcome = Outcome { edit: Some((&values, &errors)), ..Outcome::default() };
            answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
        }
        Err(CatalogError::NotFound(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// Shows the outlet's corrected version (`take=outlet`) or keeps the edit (`take=edit`);
/// nothing to decide is said on the article's page (409).
async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Response {
    let CsrfForm(console, pairs) = form;
    if let Err(refused) = may_change(&state, &console, id).await {
        return refused;
    }
    let values = Values::new(pairs);
    let Ok(take) = Take::parse(values.get("take")) else {
        let outcome = Outcome { error: Some(console.labels.newsroom.unknown_choice), ..Outcome::default() };
        return answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await;
    };
    match state.operations.resolve_outlet_correction(&staff(&console).actor(), id, take).await {
        Ok(()) => {
            let done = match take {
                Take::Outlet => "took-outlet",
                Take::Edit => "kept-edit",
            };
            see_other(&format!("{}?done={done}", article_path(id)))
        }
        Err(CatalogError::Conflict(_)) => {
            let outcome = Outcome { error: Some(console.labels.corrections.nothing_to_resolve), ..Outcome::default() };
            answer(&state, &console, id, StatusCode::CONFLICT, outcome).await
        }
        Err(CatalogError::Invalid(fields)) => {
            let reasons: Vec<&str> = fields.iter().map(|(_, reason)| reason.as_str()).collect();
            let reason = reasons.join(" ");
            let outcome = Outcome { error: Some(&reason), ..Outcome::default() };
            answer(&state, &console, id, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
        }
        Err(CatalogError::NotFound(_)) => refusal(&state, console.labels, Refusal::NotFound),
        Err(error) => ApiError::from(error).into_response(),
    }
}
