//! Kept images (issue 17): `/media/{hash}.{ext}`, the copies syndic keeps of the images
//! of outlets that grant it, read from the database (so every instance serves them).
//! Named by the SHA-256 of their bytes, they never change: cached for a year,
//! `immutable`, with a strong ETag; their type is the one their bytes were found to be,
//! and `nosniff` holds browsers to it. They bypass the render cache: files this large
//! would crowd out the documents it is for, and clients and proxies keep them anyway.

use super::error::{ApiError, ErrorBody};
use super::representation::described::{Conditional, Document};
use super::representation::Representation;
use super::AppState;
use crate::domain::media::MediaName;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{RefOr, Response as Answer};
use utoipa::{IntoParams, IntoResponses};

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(media_file))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/media/{name}", get(media_file))
}

/// A kept image
///
/// The copy syndic keeps of an image of an article whose outlet keeps images
/// (`keep_images`); feeds, pages and the partner API point here once it is kept.
#[utoipa::path(
    get,
    path = "/media/{name}",
    tag = "pages",
    params(MediaFileName, Conditional),
    responses(
        MediaAnswers,
        (status = 404, description = "No kept image has this name (nor one of another spelling).", body = ErrorBody),
        (status = 500, description = "An internal error (logged, never described to the client).", body = ErrorBody),
    ),
)]
async fn media_file(State(state): State<AppState>, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Ok(name) = MediaName::parse(&name) else { return ApiError::NotFound("image").into_response() };
    match state.operations.media(&name).await {
        Ok(Some(file)) => {
            Representation::immutable_file(file.kind.content_type(), file.bytes).prepare().respond(&headers)
        }
        Ok(None) => ApiError::NotFound("image").into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// 200 with the image, or 304.
struct MediaAnswers;

impl IntoResponses for MediaAnswers {
    fn responses() -> BTreeMap<String, RefOr<Answer>> {
        let what = "The image, its `Content-Type` the type its bytes are: `image/jpeg`, `image/png`, `image/gif`, \
                    `image/webp` or `image/avif`.";
        Document::immutable_file("image/*", what).answers()
    }
}

/// `{name}` of a kept image.
struct MediaFileName;

impl IntoParams for MediaFileName {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let description = "The SHA-256 of the image's bytes in lowercase hex, a dot, and the extension of its type \
                           (`jpg`, `png`, `gif`, `webp`, `avif`).";
        vec![utoipa::openapi::path::ParameterBuilder::new()
            .name("name")
            .parameter_in(ParameterIn::Path)
            .required(utoipa::openapi::Required::True)
            .description(Some(description))
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some("^[0-9a-f]{64}\\.(jpg|png|gif|webp|avif)$")),
            ))
            .build()]
    }
}
