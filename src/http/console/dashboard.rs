//! The console's home, the dashboard: `Operations::dashboard` limited to what the user
//! sees, as the dashboard API limits it.

use super::super::AppState;
use super::articles::{failure, staff};
use super::{page, Console};
use crate::console::dashboard_page;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/", get(dashboard))
}

async fn dashboard(State(state): State<AppState>, console: Console) -> Response {
    let tree = match state.operations.column_tree().await {
        Ok(tree) => tree,
        Err(error) => return failure(error),
    };
    let within = staff(&console).within(&tree);
    let (figures, pending) = match (
        state.operations.dashboard(within.as_deref()).await,
        state.operations.pending_count(within.as_deref()).await,
    ) {
        (Ok(figures), Ok(pending)) => (figures, pending),
        (Err(error), _) | (_, Err(error)) => return failure(error),
    };
    page(StatusCode::OK, dashboard_page(&console.viewer(), &figures, pending, state.config.site.timezone))
}
