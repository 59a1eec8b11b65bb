//! Writes run on a runtime of their own, so that ingest does not notice readers.
//!
//! A push awaits the database a dozen times (its token, the upsert's statements, the
//! commit). On the runtime that serves readers, every one of those wake-ups queues behind
//! whatever the readers' connections have ready: under a few thousand reads a second on
//! one worker that is a scheduler round each, and a 5 ms push took 100 ms and more. On
//! this runtime the same awaits wait only for other writes; the operating system shares
//! the CPU between its threads and the readers' fairly.
//!
//! One runtime for the process, never shut down: database connections opened by writes
//! here stay bound to it, and pools outlive any one server (tests restart servers over
//! one store).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::OnceLock;

/// The runtime writes run on; its workers follow `TOKIO_WORKER_THREADS` as the main one does.
fn lane() -> &'static tokio::runtime::Handle {
    static LANE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    LANE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name("syndic-writes")
            .enable_all()
            .build()
            .expect("the runtime for writes starts");
        let handle = runtime.handle().clone();
        // Kept for the life of the process.
        std::mem::forget(runtime);
        handle
    })
}

/// Routes a request that writes on the writes' runtime. It runs to its end even if the
/// client goes away meanwhile: a write is finished, never cut between two statements.
pub async fn route(router: Router, request: Request) -> Response {
    let write = lane().spawn(async move {
        let mut router = router;
        match tower::Service::call(&mut router, request).await {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        }
    });
    match write.await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a write ended without an answer");
            super::ApiError::Internal(Box::new(error)).into_response()
        }
    }
}
