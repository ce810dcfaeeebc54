//! An axum application on solo: a `Router` with a path parameter, JSON in
//! and out through serde, state shared by every connection in atomics,
//! served by hyper's HTTP/1.1 connections through hyper-util's
//! `TowerToHyperService` (no tokio runtime).
//!
//! Routes: `GET /users/{id}` answers a [`User`] as JSON; `POST /echo`
//! takes a [`User`] and sends it back with `echoed: true`; `GET /visits`
//! the requests to `/users/{id}` so far.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper::server::conn::http1;
use hyper_util::service::TowerToHyperService;
use serde::{Deserialize, Serialize};
use solo::hyper::SoloTimer;
use solo::net::TcpListener;

/// A user, as the routes read and write it in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// From the path of `GET /users/{id}`.
    pub id: u64,
    /// `user-{id}` for `GET /users/{id}`.
    pub name: String,
    /// Whether `POST /echo` sent it back.
    #[serde(default)]
    pub echoed: bool,
}

/// What every connection shares: a counter of `GET /users/{id}`.
#[derive(Clone, Debug, Default)]
pub struct AppState {
    /// Requests to `/users/{id}` answered.
    pub visits: Arc<AtomicU64>,
}

/// The application's routes over `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/users/{id}", get(user))
        .route("/echo", post(echo))
        .route("/visits", get(visits))
        .with_state(state)
}

async fn user(State(state): State<AppState>, Path(id): Path<u64>) -> Json<User> {
    state.visits.fetch_add(1, Ordering::Relaxed);
    Json(User {
        id,
        name: format!("user-{id}"),
        echoed: false,
    })
}

async fn echo(Json(mut user): Json<User>) -> Json<User> {
    user.echoed = true;
    Json(user)
}

async fn visits(State(state): State<AppState>) -> String {
    state.visits.load(Ordering::Relaxed).to_string()
}

/// Serves `app(state)` on `listener` until accepting fails, each
/// connection on its own solo task.
pub async fn serve(listener: TcpListener, state: AppState) -> io::Result<()> {
    let router = app(state);
    loop {
        let (stream, peer) = listener.accept().await?;
        let service = TowerToHyperService::new(router.clone());
        solo::spawn(async move {
            let conn = http1::Builder::new()
                .timer(SoloTimer)
                .header_read_timeout(Duration::from_secs(5))
                .serve_connection(stream, service);
            if let Err(e) = conn.await {
                log::debug!("{peer}: {e}");
            }
        });
    }
}
