//! syndic as a WebSub subscriber of outlets' hubs (issue 17): an outlet's feed served by
//! the test names a hub (the test's too); a poll has syndic ask it to subscribe, the test
//! verifies intent against syndic's callback as a hub would, then delivers signed feed
//! documents, which are stored at once; unsigned or wrongly signed ones are ignored.
//! Verification answers only syndic's own requests; denials and refusals are recorded
//! and polling returns to the source's interval; leases are renewed before they lapse;
//! a source that loses its hub, or is deleted, is unsubscribed.

use crate::browser::{check_page, signed_in};
use crate::helpers::TestApp;
use crate::mock::eventually;
use crate::stories;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
/// The source's own interval (the default): 15 minutes.
const INTERVAL_SECS: i64 = 15 * 60;
/// While pushes come: six hours (`domain::subscription::PUSHED_POLL_INTERVAL_SECS`).
const PUSHED_SECS: i64 = 6 * 3600;

stories!(
    a_hub_named_by_the_feed_is_subscribed_and_its_signed_deliveries_are_stored_at_once,
    the_callback_answers_only_syndics_own_requests,
    a_denial_is_recorded_and_polling_returns_to_the_sources_interval,
    a_hub_refusing_the_request_leaves_the_subscription_failed,
    leases_are_renewed_before_they_lapse,
    a_source_that_loses_its_hub_or_is_deleted_is_unsubscribed,
);

/// One subscription request the hub received.
#[derive(Debug, Clone)]
struct HubRequest {
    form: Vec<(String, String)>,
    at: Instant,
}

impl HubRequest {
    fn get(&self, name: &str) -> &str {
        self.form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// The outlet's site: its feed (`/feed.xml`, naming the hub unless told not to) and its
/// hub (`/hub`), which records (un)subscription requests and answers them with the
/// status the test sets.
struct Outlet {
    base: String,
    requests: Mutex<Vec<HubRequest>>,
    hub_status: AtomicU16,
    names_hub: AtomicBool,
    entries: Mutex<Vec<(String, String)>>,
}

impl Outlet {
    async fn start() -> Arc<Outlet> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let outlet = Arc::new(Outlet {
            base: format!("http://{}", listener.local_addr().unwrap()),
            requests: Mutex::new(Vec::new()),
            hub_status: AtomicU16::new(202),
            names_hub: AtomicBool::new(true),
            entries: Mutex::new(vec![("1".into(), "第一篇报道".into())]),
        });
        let app = axum::Router::new()
            .route("/feed.xml", axum::routing::get(feed))
            .route("/hub", axum::routing::post(hub))
            .with_state(outlet.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        outlet
    }

    fn feed_url(&self) -> String {
        format!("{}/feed.xml", self.base)
    }

    fn hub_url(&self) -> String {
        format!("{}/hub", self.base)
    }

    /// The feed as it stands, with `entries` (id, title) as its items.
    fn document(&self, entries: &[(String, String)]) -> String {
        let hub = if self.names_hub.load(Ordering::SeqCst) {
            format!(r#"<link rel="hub" href="{}"/>"#, self.hub_url())
        } else {
            String::new()
        };
        let items: String = entries
            .iter()
            .map(|(id, title)| {
                format!(
                    "<entry><id>http://www.cjxww.cn/show?id={id}</id><title>{title}</title>\
                     <link href=\"http://www.cjxww.cn/show?id={id}\"/><updated>2024-05-0{}T08:00:00Z</updated>\
                     <content type=\"html\">&lt;p&gt;{title}的正文。&lt;/p&gt;</content></entry>",
                    id.len().min(9)
                )
            })
            .collect();
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>昌吉日报</title>
               <id>{feed}</id><updated>2024-05-01T08:00:00Z</updated>{hub}<link rel="self" href="{feed}"/>{items}</feed>"#,
            feed = self.feed_url()
        )
    }

    fn requests(&self) -> Vec<HubRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits for the `n`th (1-based) request of `mode`.
    async fn request(&self, mode: &str, n: usize) -> HubRequest {
        let deadline = Instant::now() + WAIT;
        loop {
            let of_mode: Vec<HubRequest> = self.requests().into_iter().filter(|r| r.get("hub.mode") == mode).collect();
            if let Some(found) = of_mode.get(n - 1) {
                return found.clone();
            }
            assert!(Instant::now() < deadline, "no {mode} request #{n} at the hub; got {:#?}", self.requests());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn feed(State(outlet): State<Arc<Outlet>>) -> impl IntoResponse {
    let entries = outlet.entries.lock().unwrap().clone();
    ([("content-type", "application/atom+xml")], outlet.document(&entries))
}

async fn hub(State(outlet): State<Arc<Outlet>>, body: String) -> StatusCode {
    let form = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    outlet.requests.lock().unwrap().push(HubRequest { form, at: Instant::now() });
    StatusCode::from_u16(outlet.hub_status.load(Ordering::SeqCst)).unwrap()
}

/// The example catalogue, the outlet's site, and a source polling its feed (once).
async fn polled_source(app: &TestApp) -> (Arc<Outlet>, i64) {
    app.with_example_catalog().await;
    let outlet = Outlet::start().await;
    let created = app
        .admin_post("/api/v1/sources", json!({"outlet": "cjrb", "url": outlet.feed_url(), "columns": ["party-96"]}))
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let polled = poll(app, id).await;
    assert_eq!(polled["items_new"], 1, "{polled}");
    (outlet, id)
}

async fn poll(app: &TestApp, id: i64) -> Value {
    let response = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn source(app: &TestApp, id: i64) -> Value {
    let response = app.admin_get(&format!("/api/v1/sources/{id}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// What a hub's GET to a callback gets: the status and the body.
async fn hub_get(app: &TestApp, callback: &str, query: &[(&str, &str)]) -> (u16, String) {
    let response = app.client.get(callback).query(query).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Verifies a subscription as its hub would; the challenge must come back.
async fn verify(app: &TestApp, request: &HubRequest, lease: &str) {
    let challenge = format!("challenge-{}", rand_suffix());
    let (status, body) = hub_get(
        app,
        request.get("hub.callback"),
        &[
            ("hub.mode", request.get("hub.mode")),
            ("hub.topic", request.get("hub.topic")),
            ("hub.challenge", challenge.as_str()),
            ("hub.lease_seconds", lease),
        ],
    )
    .await;
    assert_eq!((status, body.as_str()), (200, challenge.as_str()), "the challenge is echoed");
}

fn rand_suffix() -> String {
    format!("{:x}", Instant::now().elapsed().as_nanos() ^ u128::from(std::process::id()))
}

fn sign<M: Mac + hmac::digest::KeyInit>(secret: &str, body: &[u8]) -> String {
    let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// POSTs a feed document to the callback with this `X-Hub-Signature` (none: `None`).
async fn deliver(app: &TestApp, callback: &str, body: &str, signature: Option<String>) -> u16 {
    let mut request = app.client.post(callback).header("content-type", "application/atom+xml").body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn titles(app: &TestApp) -> Vec<String> {
    let feed: Value = app.get("/columns/party-96/feed.json").await.json().await.unwrap();
    feed["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
}

/// Seconds from now to the source's next poll.
fn next_poll_in(source: &Value) -> i64 {
    let next = chrono::DateTime::parse_from_rfc3339(source["next_fetch_at"].as_str().unwrap()).unwrap();
    (next.to_utc() - chrono::Utc::now()).num_seconds()
}

async fn a_hub_named_by_the_feed_is_subscribed_and_its_signed_deliveries_are_stored_at_once(app: TestApp) {
    let (outlet, id) = polled_source(&app).await;
    let request = outlet.request("subscribe", 1).await;
    assert_eq!(request.get("hub.topic"), outlet.feed_url(), "the feed's self URL is the topic");
    let callback = request.get("hub.callback").to_owned();
    let prefix = format!("{}/websub/callback/", app.base_url);
    assert!(callback.starts_with(&prefix), "{callback}");
    let token = callback.rsplit('/').next().unwrap();
    assert!(token.len() >= 32, "the callback has an unguessable part: {callback}");
    let secret = request.get("hub.secret").to_owned();
    assert!((16..200).contains(&secret.len()), "a secret under 200 bytes: {secret}");
    assert!(request.get("hub.lease_seconds").parse::<i64>().unwrap() > 0);
    let subscribing = source(&app, id).await;
    assert_eq!(subscribing["subscription"]["state"], "subscribing", "{subscribing}");
    assert_eq!(subscribing["subscription"]["hub"], outlet.hub_url());
    assert!(!subscribing.to_string().contains(&secret), "the secret is never shown");

    verify(&app, &request, "86400").await;
    let verified = source(&app, id).await;
    let subscription = &verified["subscription"];
    assert_eq!(subscription["state"], "verified", "{verified}");
    assert_eq!(subscription["topic"], outlet.feed_url());
    let lease_end = chrono::DateTime::parse_from_rfc3339(subscription["lease_expires_at"].as_str().unwrap()).unwrap();
    assert!((lease_end.to_utc() - chrono::Utc::now()).num_seconds() > 86_000, "{subscription}");
    assert!(next_poll_in(&verified) > PUSHED_SECS - 60, "polled only as a fallback while pushes come: {verified}");
    let polled_again = poll(&app, id).await;
    assert!(next_poll_in(&polled_again) > PUSHED_SECS - 60, "a poll keeps the long interval: {polled_again}");

    // A signed delivery is stored at once, through the source's routing.
    let entries = [("1".to_owned(), "第一篇报道".to_owned()), ("22".to_owned(), "推送来的新报道".to_owned())];
    let document = outlet.document(&entries);
    let delivered_at = Instant::now();
    let status = deliver(
        &app,
        &callback,
        &document,
        Some(format!("sha256={}", sign::<Hmac<sha2::Sha256>>(&secret, document.as_bytes()))),
    )
    .await;
    assert_eq!(status, 204);
    eventually("the pushed article is in the column's feed", Duration::from_secs(2), || async {
        titles(&app).await.contains(&"推送来的新报道".to_owned())
    })
    .await;
    assert!(delivered_at.elapsed() < Duration::from_secs(2));
    let after = source(&app, id).await;
    assert_eq!(
        (after["items_new"].as_i64(), after["items_seen"].as_i64()),
        (Some(1), Some(2)),
        "recorded like a poll: {after}"
    );
    assert_eq!(after["subscription"]["deliveries"], 1);
    assert!(after["subscription"]["last_delivery_at"].is_string(), "{after}");
    assert_eq!(
        (&after["last_status"], &after["next_fetch_at"], &after["last_fetch_at"]),
        (&polled_again["last_status"], &polled_again["next_fetch_at"], &polled_again["last_fetch_at"]),
        "a delivery is no poll: the last poll's status and the next poll stand"
    );

    // Unsigned, wrongly signed, or signed with another secret: 2xx, and ignored.
    let entries = [("333".to_owned(), "伪造的报道".to_owned())];
    let forged = outlet.document(&entries);
    for signature in [
        None,
        Some(format!("sha256={}", sign::<Hmac<sha2::Sha256>>("not-the-secret", forged.as_bytes()))),
        Some(format!("sha1={}", sign::<Hmac<sha1::Sha1>>(&secret, document.as_bytes()))),
        Some("sha256=not-hex".to_owned()),
    ] {
        assert_eq!(deliver(&app, &callback, &forged, signature.clone()).await, 204, "{signature:?}");
    }
    assert!(!titles(&app).await.contains(&"伪造的报道".to_owned()), "nothing unsigned is stored");
    let ignored = source(&app, id).await;
    assert_eq!(ignored["subscription"]["ignored_deliveries"], 4, "{ignored}");
    assert!(ignored["subscription"]["last_error"].as_str().unwrap().contains("X-Hub-Signature"), "{ignored}");
    assert_eq!(ignored["subscription"]["deliveries"], 1);

    // Another instance answers the same callback (the state is in the database), and
    // SHA-512 signatures are taken too.
    let other = app.another_instance().await;
    let other_callback = callback.replacen(&app.base_url, &other.url(""), 1);
    let entries = [("4444".to_owned(), "另一实例收到的报道".to_owned())];
    let third = outlet.document(&entries);
    let signature = format!("sha512={}", sign::<Hmac<sha2::Sha512>>(&secret, third.as_bytes()));
    assert_eq!(deliver(&app, &other_callback, &third, Some(signature)).await, 204);
    eventually("the other instance stored it", Duration::from_secs(2), || async {
        titles(&app).await.contains(&"另一实例收到的报道".to_owned())
    })
    .await;

    // The console's source page shows the subscription.
    let browser = signed_in(&app, "wangfang", "viewer", &[]).await;
    let page = browser.get(&format!("/admin/sources/{id}")).await;
    assert_eq!(page.status, 200);
    check_page(&page.body);
    assert!(page.body.contains(&outlet.hub_url()), "the console shows the hub");
    assert!(page.body.contains("已验证"), "and where the subscription stands");
}

async fn the_callback_answers_only_syndics_own_requests(app: TestApp) {
    let (outlet, _) = polled_source(&app).await;
    let request = outlet.request("subscribe", 1).await;
    let callback = request.get("hub.callback").to_owned();
    let topic = outlet.feed_url();
    let ask = |callback: String, mode: &'static str, topic: String| {
        let app = &app;
        async move {
            hub_get(app, &callback, &[("hub.mode", mode), ("hub.topic", topic.as_str()), ("hub.challenge", "echo-me")])
                .await
        }
    };
    let (id_part, token) = callback.trim_end_matches('/').rsplit_once('/').unwrap();
    let wrong_token = format!("{id_part}/{}", "0".repeat(token.len()));
    let unknown_id = format!("{}/websub/callback/999999/{token}", app.base_url);
    for (what, answer) in [
        ("a wrong token", ask(wrong_token.clone(), "subscribe", topic.clone()).await),
        ("an unknown subscription", ask(unknown_id, "subscribe", topic.clone()).await),
        ("another topic", ask(callback.clone(), "subscribe", format!("{}/other.xml", outlet.base)).await),
        ("an unsubscription syndic did not ask for", ask(callback.clone(), "unsubscribe", topic.clone()).await),
        ("no mode", hub_get(&app, &callback, &[("hub.topic", topic.as_str()), ("hub.challenge", "echo-me")]).await),
        (
            "a malformed id",
            ask(format!("{}/websub/callback/01/{token}", app.base_url), "subscribe", topic.clone()).await,
        ),
    ] {
        assert_eq!(answer.0, 404, "{what}: {answer:?}");
        assert!(!answer.1.contains("echo-me"), "{what}: nothing is echoed");
    }
    let unsigned = deliver(&app, &wrong_token, &outlet.document(&[]), None).await;
    assert_eq!(unsigned, 404, "a delivery to a wrong token");
    let over = app
        .client
        .post(&callback)
        .header("content-type", "application/atom+xml")
        .body(vec![b' '; 16 * 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(over.status(), 413, "a body over the feed size cap");
    // Still waiting for the hub: the right request is answered.
    let (status, body) = ask(callback.clone(), "subscribe", topic.clone()).await;
    assert_eq!((status, body.as_str()), (200, "echo-me"));
    let openapi: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let path = &openapi["paths"]["/websub/callback/{id}/{token}"];
    assert!(path["get"].is_object() && path["post"].is_object(), "the callback is described");
}

async fn a_denial_is_recorded_and_polling_returns_to_the_sources_interval(app: TestApp) {
    let (outlet, id) = polled_source(&app).await;
    let request = outlet.request("subscribe", 1).await;
    verify(&app, &request, "86400").await;
    assert!(next_poll_in(&source(&app, id).await) > PUSHED_SECS - 60);
    let (status, body) = hub_get(
        &app,
        request.get("hub.callback"),
        &[("hub.mode", "denied"), ("hub.topic", request.get("hub.topic")), ("hub.reason", "出版方已关闭推送")],
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let denied = source(&app, id).await;
    assert_eq!(denied["subscription"]["state"], "denied", "{denied}");
    assert!(denied["subscription"]["last_error"].as_str().unwrap().contains("出版方已关闭推送"), "{denied}");
    assert!(next_poll_in(&denied) <= INTERVAL_SECS, "polled at its own interval again: {denied}");
    let polled = poll(&app, id).await;
    assert!(next_poll_in(&polled) <= INTERVAL_SECS + INTERVAL_SECS / 10, "{polled}");
    assert_eq!(polled["subscription"]["state"], "denied", "the same hub is not asked again at each poll");
}

async fn a_hub_refusing_the_request_leaves_the_subscription_failed(app: TestApp) {
    app.with_example_catalog().await;
    let outlet = Outlet::start().await;
    outlet.hub_status.store(500, Ordering::SeqCst);
    let created = app
        .admin_post("/api/v1/sources", json!({"outlet": "cjrb", "url": outlet.feed_url(), "columns": ["party-96"]}))
        .await;
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    poll(&app, id).await;
    outlet.request("subscribe", 1).await;
    eventually("the refusal is recorded", WAIT, || async {
        source(&app, id).await["subscription"]["state"] == "failed"
    })
    .await;
    let failed = source(&app, id).await;
    assert!(failed["subscription"]["last_error"].as_str().unwrap().contains("HTTP 500"), "{failed}");
    let polled = poll(&app, id).await;
    assert!(next_poll_in(&polled) <= INTERVAL_SECS + INTERVAL_SECS / 10, "polled at its own interval: {polled}");
    assert_eq!(outlet.requests().len(), 1, "asked again only after a backoff");
}

async fn leases_are_renewed_before_they_lapse(app: TestApp) {
    let (outlet, id) = polled_source(&app).await;
    let first = outlet.request("subscribe", 1).await;
    verify(&app, &first, "3").await;
    let verified_at = Instant::now();
    let renewal = outlet.request("subscribe", 2).await;
    assert!(renewal.at < verified_at + Duration::from_secs(3), "renewed before the 3 s lease lapsed");
    assert!(renewal.at > verified_at + Duration::from_secs(2), "not long before: at four fifths of it");
    assert_eq!(renewal.get("hub.callback"), first.get("hub.callback"), "the same subscription");
    assert_eq!(renewal.get("hub.secret"), first.get("hub.secret"));
    assert_eq!(source(&app, id).await["subscription"]["state"], "verified", "still verified while renewing");
    verify(&app, &renewal, "600").await;
    let renewed = source(&app, id).await;
    let lease_end =
        chrono::DateTime::parse_from_rfc3339(renewed["subscription"]["lease_expires_at"].as_str().unwrap()).unwrap();
    assert!((lease_end.to_utc() - chrono::Utc::now()).num_seconds() > 500, "{renewed}");

    // A lease that lapses unrenewed (the hub never verifies again) expires, and the
    // source is polled at its own interval; syndic asks the hub again.
    verify(&app, &renewal, "1").await;
    let third = outlet.request("subscribe", 3).await;
    assert_eq!(third.get("hub.callback"), first.get("hub.callback"));
    eventually("the lease expired", WAIT, || async {
        let state = source(&app, id).await["subscription"]["state"].clone();
        state == "expired" || state == "subscribing"
    })
    .await;
    assert!(next_poll_in(&source(&app, id).await) <= INTERVAL_SECS, "polled at its own interval when the lease lapsed");
}

async fn a_source_that_loses_its_hub_or_is_deleted_is_unsubscribed(app: TestApp) {
    let (outlet, id) = polled_source(&app).await;
    let first = outlet.request("subscribe", 1).await;
    verify(&app, &first, "86400").await;

    outlet.names_hub.store(false, Ordering::SeqCst);
    let polled = poll(&app, id).await;
    assert_eq!(polled["subscription"], Value::Null, "the feed names no hub now: {polled}");
    assert!(next_poll_in(&polled) <= INTERVAL_SECS + INTERVAL_SECS / 10, "polled at its own interval: {polled}");
    let unsubscribe = outlet.request("unsubscribe", 1).await;
    assert_eq!(unsubscribe.get("hub.callback"), first.get("hub.callback"));
    assert_eq!(unsubscribe.get("hub.topic"), outlet.feed_url());
    verify(&app, &unsubscribe, "0").await;
    let callback = first.get("hub.callback");
    let gone = hub_get(
        &app,
        callback,
        &[("hub.mode", "unsubscribe"), ("hub.topic", outlet.feed_url().as_str()), ("hub.challenge", "x")],
    )
    .await;
    assert_eq!(gone.0, 404, "once unsubscribed, the callback is gone");

    outlet.names_hub.store(true, Ordering::SeqCst);
    poll(&app, id).await;
    let second = outlet.request("subscribe", 2).await;
    assert_ne!(second.get("hub.callback"), callback, "a new subscription has a callback of its own");
    verify(&app, &second, "86400").await;
    assert_eq!(app.admin_delete(&format!("/api/v1/sources/{id}")).await.status(), 204);
    let unsubscribe = outlet.request("unsubscribe", 2).await;
    assert_eq!(unsubscribe.get("hub.callback"), second.get("hub.callback"), "a deleted source is unsubscribed");
    let delivered = deliver(&app, second.get("hub.callback"), &outlet.document(&[]), None).await;
    assert_eq!(delivered, 410, "deliveries to an ending subscription are told it is gone");
}
