//! The WebSub hub: a real subscriber on a random port subscribes, has its intent
//! verified, and receives each changed feed, signed; pending deliveries survive a
//! restart; a subscriber that keeps failing is retried and then dropped.

use crate::helpers::{example_article, Backend, TestApp};
use crate::mock::{eventually, Mock};
use crate::stories;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

stories!(a_subscriber_receives_each_change_signed, bad_hub_requests_are_refused, unsubscribing_is_verified_too);

async fn subscribe(app: &TestApp, mode: &str, topic: &str, callback: &str, secret: Option<&str>) -> reqwest::Response {
    let mut form = vec![("hub.mode", mode), ("hub.topic", topic), ("hub.callback", callback)];
    if let Some(secret) = secret {
        form.push(("hub.secret", secret));
    }
    app.client.post(app.url("/websub")).form(&form).send().await.unwrap()
}

/// Subscribes and waits until the hub has verified and recorded the subscription.
async fn subscribed(app: &TestApp, topic: &str, callback: &str, secret: Option<&str>) {
    assert_eq!(subscribe(app, "subscribe", topic, callback, secret).await.status(), 202);
    eventually("the subscription is active", WAIT, || async {
        app.store.websub_subscribers(topic).await.unwrap().iter().any(|(c, _)| c == callback)
    })
    .await;
}

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

async fn a_subscriber_receives_each_change_signed(app: TestApp) {
    let token = app.with_example_catalog().await;
    let subscriber = Mock::start().await;
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    let feed = app.get_text("/columns/zhuanti/atom.xml").await;
    assert!(feed.contains(&format!(r#"href="{}/websub" rel="hub""#, app.base_url)), "feeds name the hub: {feed}");

    subscribed(&app, &topic, &subscriber.url("/cb/signed"), Some("s3cret")).await;
    let verification = subscriber.wait_for("verification", WAIT, |r| r.uri.path() == "/cb/signed").await;
    assert_eq!(verification.query("hub.mode").as_deref(), Some("subscribe"));
    assert_eq!(verification.query("hub.topic").as_deref(), Some(topic.as_str()));
    assert!(verification.query("hub.lease_seconds").is_some());
    let rss_topic = format!("{}/rss.xml", app.base_url);
    subscribed(&app, &rss_topic, &subscriber.url("/cb/plain"), None).await;

    // The article goes to party-96, a sub-column of zhuanti: both topics change.
    let pushed_at = Instant::now();
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    let delivery =
        subscriber.wait_for("a signed delivery", WAIT, |r| r.method == "POST" && r.uri.path() == "/cb/signed").await;
    println!("WebSub delivery latency: {:?}", delivery.at - pushed_at);
    assert!(delivery.header("content-type").unwrap().starts_with("application/atom+xml"));
    let link = delivery.header("link").unwrap();
    assert!(link.contains(&format!("<{}/websub>; rel=\"hub\"", app.base_url)), "{link}");
    assert!(link.contains(&format!("<{topic}>; rel=\"self\"")), "{link}");
    let expected = format!("sha256={}", hmac_hex("s3cret", &delivery.body));
    assert_eq!(delivery.header("x-hub-signature").as_deref(), Some(expected.as_str()));
    let parsed = feed_rs::parser::parse(&delivery.body[..]).expect("the delivery is a feed");
    assert!(parsed.entries.iter().any(|e| e.title.as_ref().unwrap().content.contains("头雁")));

    let plain =
        subscriber.wait_for("an unsigned delivery", WAIT, |r| r.method == "POST" && r.uri.path() == "/cb/plain").await;
    assert!(plain.header("x-hub-signature").is_none(), "no secret, no signature");
    assert!(plain.text().contains("头雁"));

    // A correction is a change too.
    let before = subscriber.posts().len();
    let mut corrected = example_article();
    corrected["title"] = json!("做带领群众奔向幸福生活的“头雁”(更正)");
    assert_eq!(app.push(&token, &corrected).await.status(), 200);
    subscriber.wait_for("the corrected feed", WAIT, |r| r.method == "POST" && r.text().contains("更正")).await;
    assert!(subscriber.posts().len() > before);
}

async fn bad_hub_requests_are_refused(app: TestApp) {
    app.with_example_catalog().await;
    let callback = "http://127.0.0.1:9/cb";
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    for (mode, topic, callback, why) in [
        ("subscribe", "https://elsewhere.example/feed.xml", callback, "a topic that is not ours"),
        ("subscribe", &format!("{}/columns/nope/atom.xml", app.base_url), callback, "an unknown column"),
        ("watch", &topic, callback, "an unknown mode"),
        ("subscribe", &topic, "ftp://x/cb", "a callback that is not http(s)"),
    ] {
        let response = subscribe(&app, mode, topic, callback, None).await;
        assert_eq!(response.status(), 400, "{why}");
        assert!(!response.text().await.unwrap().is_empty(), "{why}: the reason is given");
    }
    // A callback the SSRF guard refuses is never verified, so never subscribed.
    let internal = "http://169.254.169.254/latest/meta-data";
    assert_eq!(subscribe(&app, "subscribe", &topic, internal, None).await.status(), 202);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(app.store.websub_subscribers(&topic).await.unwrap().is_empty());
}

async fn unsubscribing_is_verified_too(app: TestApp) {
    app.with_example_catalog().await;
    let subscriber = Mock::start().await;
    let topic = format!("{}/columns/party-96/rss.xml", app.base_url);
    let callback = subscriber.url("/cb");
    subscribed(&app, &topic, &callback, None).await;
    assert_eq!(subscribe(&app, "unsubscribe", &topic, &callback, None).await.status(), 202);
    eventually("the subscription ends", WAIT, || async {
        app.store.websub_subscribers(&topic).await.unwrap().is_empty()
    })
    .await;
    assert!(subscriber.requests().iter().any(|r| r.query("hub.mode").as_deref() == Some("unsubscribe")));
}

/// Retries back off from a second, so a restart happens between attempts.
fn patient(config: &mut syndic::config::Config) {
    config.notify.retry_base = Duration::from_secs(1);
    config.notify.max_attempts = 10;
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart_on_sqlite() {
    let app = TestApp::spawn_configured(Backend::Sqlite, patient).await.unwrap();
    a_pending_delivery_survives_a_restart(app).await;
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, patient).await {
        a_pending_delivery_survives_a_restart(app).await;
    }
}

async fn a_pending_delivery_survives_a_restart(mut app: TestApp) {
    let token = app.with_example_catalog().await;
    let subscriber = Mock::start().await;
    let topic = format!("{}/columns/party-96/atom.xml", app.base_url);
    subscribed(&app, &topic, &subscriber.url("/cb"), Some("k")).await;
    subscriber.answer_posts_with(503);
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    subscriber.wait_for("a first, failed delivery", WAIT, |r| r.method == "POST").await;
    app.stop();
    subscriber.answer_posts_with(204);
    let restarted = Instant::now();
    app.restart().await;
    let delivered = subscriber
        .wait_for("the delivery after the restart", WAIT, |r| {
            r.method == "POST" && r.at > restarted && r.text().contains("头雁")
        })
        .await;
    assert_eq!(delivered.header("x-hub-signature"), Some(format!("sha256={}", hmac_hex("k", &delivered.body))));
}

#[tokio::test]
async fn a_failing_subscriber_is_retried_then_dropped_on_sqlite() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    a_failing_subscriber_is_retried_then_dropped(app).await;
}

#[tokio::test]
async fn a_failing_subscriber_is_retried_then_dropped_on_postgres() {
    if let Some(app) = TestApp::spawn(Backend::Postgres).await {
        a_failing_subscriber_is_retried_then_dropped(app).await;
    }
}

/// The test app allows 3 attempts, 100 ms apart and doubling.
async fn a_failing_subscriber_is_retried_then_dropped(app: TestApp) {
    let token = app.with_example_catalog().await;
    let subscriber = Mock::start().await;
    let topic = format!("{}/columns/party-96/atom.xml", app.base_url);
    subscribed(&app, &topic, &subscriber.url("/cb"), None).await;
    subscriber.answer_posts_with(500);
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    eventually("the subscriber is dropped", WAIT, || async {
        app.store.websub_subscribers(&topic).await.unwrap().is_empty()
    })
    .await;
    let attempts = subscriber.posts();
    assert_eq!(attempts.len(), app.config.notify.max_attempts as usize, "every attempt was made");
    assert!(attempts[1].at - attempts[0].at >= Duration::from_millis(90), "retries back off");
    let mut other = example_article();
    other["original_url"] = json!("http://www.cjxww.cn/another");
    assert_eq!(app.push(&token, &other).await.status(), 201);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(subscriber.posts().len(), attempts.len(), "a dropped subscriber hears nothing more");
}
