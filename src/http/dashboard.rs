//! `GET /api/v1/dashboard`: the dashboard's figures (`Operations::dashboard`) as JSON,
//! for anyone on the staff, limited to what a user's column scope covers.

use super::auth::Staff;
use super::sources::{source_view, Source};
use super::{error::ApiError, AppState};
use crate::catalog::fields;
use crate::operations::dashboard::{Dashboard as Figures, Lag, Reposted};
use crate::publish::rfc3339;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

/// This area's operations, for the OpenAPI description (`http::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(dashboard))]
pub(super) struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/dashboard", get(dashboard))
}

/// The dashboard's figures.
#[derive(Serialize, ToSchema)]
struct Dashboard {
    /// When today began in the site's time zone.
    #[schema(format = DateTime)]
    today_from: String,
    /// When this week (Monday) began in the site's time zone.
    #[schema(format = DateTime)]
    week_from: String,
    /// Public articles reposted today and this week per column (its sub-columns'
    /// included), for columns with any this week, in tree order.
    columns: Vec<ColumnCount>,
    /// The same per outlet, by slug.
    outlets: Vec<OutletCount>,
    /// Every source: failing ones first, then silent ones, then the rest.
    sources: Vec<SourceHealth>,
    /// Per outlet with articles reposted in the last 7 days: how long after their
    /// original publication they were reposted, by slug.
    repost_lag: Vec<OutletLag>,
}

#[derive(Serialize, ToSchema)]
struct ColumnCount {
    #[schema(value_type = fields::Slug)]
    column: String,
    title: String,
    today: i64,
    week: i64,
}

#[derive(Serialize, ToSchema)]
struct OutletCount {
    #[schema(value_type = fields::Slug)]
    outlet: String,
    name: String,
    today: i64,
    week: i64,
}

/// A source with how it is doing.
#[derive(Serialize, ToSchema)]
struct SourceHealth {
    /// `failing`: its last poll failed; `silent`: no new item for 48 of its intervals or
    /// 7 days, whichever is shorter; `healthy`.
    #[schema(pattern = "^(failing|silent|healthy)$")]
    health: &'static str,
    /// When a poll last found a new item; null while none has.
    #[schema(format = DateTime, required = true)]
    last_new_at: Option<String>,
    #[serde(flatten)]
    source: Source,
}

/// An outlet's repost lag: percentiles by nearest rank, in seconds.
#[derive(Serialize, ToSchema)]
struct OutletLag {
    #[schema(value_type = fields::Slug)]
    outlet: String,
    name: String,
    /// Articles measured.
    articles: usize,
    median_seconds: f64,
    p90_seconds: f64,
}

fn seconds(d: chrono::Duration) -> f64 {
    d.num_microseconds().map_or(f64::MAX, |micros| micros as f64 / 1e6)
}

fn shaped(figures: &Figures, tree: &crate::domain::column::ColumnTree) -> Dashboard {
    let count = |r: &Reposted| (r.today, r.week);
    Dashboard {
        today_from: rfc3339(figures.today_from),
        week_from: rfc3339(figures.week_from),
        columns: figures
            .columns
            .iter()
            .map(|(c, r)| {
                let (today, week) = count(r);
                ColumnCount { column: c.slug.to_string(), title: c.title.clone(), today, week }
            })
            .collect(),
        outlets: figures
            .outlets
            .iter()
            .map(|(o, r)| {
                let (today, week) = count(r);
                OutletCount { outlet: o.slug.to_string(), name: o.name.clone(), today, week }
            })
            .collect(),
        sources: figures
            .sources
            .iter()
            .map(|(s, health)| SourceHealth {
                health: health.as_str(),
                last_new_at: s.status.last_new_at.map(rfc3339),
                source: source_view(tree, s),
            })
            .collect(),
        repost_lag: figures
            .lags
            .iter()
            .map(|(o, lag): &(_, Lag)| OutletLag {
                outlet: o.slug.to_string(),
                name: o.name.clone(),
                articles: lag.articles,
                median_seconds: seconds(lag.median),
                p90_seconds: seconds(lag.p90),
            })
            .collect(),
    }
}

/// The dashboard
///
/// What was reposted today and this week per column and outlet, every source's health
/// (failing and silent ones first), and each outlet's repost lag over the last 7 days.
/// A user with a column scope sees the columns it covers, the articles filed wholly
/// within them and the sources that file only there.
#[utoipa::path(
    get,
    path = "/api/v1/dashboard",
    tag = "dashboard",
    security(("admin" = [])),
    responses((status = 200, description = "The figures.", body = Dashboard)),
)]
async fn dashboard(staff: Staff, State(state): State<AppState>) -> Result<Json<Dashboard>, ApiError> {
    let tree = state.operations.column_tree().await?;
    let within = staff.within(&tree);
    let figures = state.operations.dashboard(within.as_deref()).await?;
    Ok(Json(shaped(&figures, &tree)))
}
