//! The WebSub hub: a real subscriber on a random port subscribes, has its intent
//! verified, and receives each changed feed, signed; pending deliveries survive a
//! restart; a subscriber that keeps failing is retried and then dropped. What anyone
//! can make the hub do is bounded: callbacks the SSRF guard refuses are refused at
//! once, pending verifications are capped, and slow callbacks hold up no one else.

use crate::helpers::{example_article, Backend, TestApp};
use crate::mock::{eventually, Mock, Silent};
use crate::stories;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::time::{Duration, Instant};
use syndic::store::outbound::{NewWebsubRequest, PendingCaps, Queued};
use syndic::store::Store;

const WAIT: Duration = Duration::from_secs(10);
/// How long one verification may take (`notify::websub::VERIFY_TIMEOUT`).
const VERIFY_TIMEOUT: Duration = Duration::from_secs(5);
/// Pending verifications one callback host may have (`MAX_PENDING_VERIFICATIONS_PER_HOST`).
const PER_HOST: usize = 16;

stories!(
    a_subscriber_receives_each_change_signed,
    bad_hub_requests_are_refused,
    unsubscribing_is_verified_too,
    pending_verifications_are_capped_per_callback_host,
    slow_callbacks_do_not_delay_another_subscribers_verification,
    slow_subscribers_do_not_hold_up_deliveries_to_others,
    the_verification_queue_is_capped_for_all_instances_together,
);

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
    // Callbacks the SSRF guard refuses (the test app allows 127.0.0.0/8 only).
    for internal in ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/cb", "http://[::1]:9/cb"] {
        let response = subscribe(&app, "subscribe", &topic, internal, None).await;
        assert_eq!(response.status(), 400, "{internal}");
        assert!(response.text().await.unwrap().contains("hub.callback"), "{internal}: the reason names the field");
    }
    assert_eq!(pending_verifications(&app.store).await, 0, "nothing refused is queued");
}

/// Requests waiting for verification, as /metrics counts them.
async fn pending_verifications(store: &Store) -> i64 {
    let queues = store.queue_lengths().await.unwrap();
    queues.iter().find(|(queue, _)| *queue == "websub_verifications").unwrap().1
}

/// The production default: no internal network is open to outbound requests; failed
/// verifications are retried only after 10 s.
fn guarded(config: &mut syndic::config::Config) {
    config.fetch_allow = Default::default();
    config.notify.retry_base = Duration::from_secs(10);
}

#[tokio::test]
async fn internal_callbacks_are_refused_however_spelled_on_sqlite() {
    let app = TestApp::spawn_configured(Backend::Sqlite, guarded).await.unwrap();
    internal_callbacks_are_refused_however_spelled(app).await;
}

#[tokio::test]
async fn internal_callbacks_are_refused_however_spelled_on_postgres() {
    if let Some(app) = TestApp::spawn_configured(Backend::Postgres, guarded).await {
        internal_callbacks_are_refused_however_spelled(app).await;
    }
}

async fn internal_callbacks_are_refused_however_spelled(app: TestApp) {
    app.with_example_catalog().await;
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    for internal in [
        "http://127.0.0.1:9/cb",
        "http://127.1/cb",
        "http://0x7f000001/cb",
        "http://2130706433/cb",
        "http://localhost:9/cb",
        "http://LOCALHOST./cb",
        "http://[::1]/cb",
        "http://[::ffff:127.0.0.1]/cb",
        "http://169.254.169.254/latest/meta-data",
        "http://192.168.1.1/cb",
        "http://[fd00::1]/cb",
        "http://0.0.0.0/cb",
    ] {
        let started = Instant::now();
        let response = subscribe(&app, "subscribe", &topic, internal, None).await;
        assert_eq!(response.status(), 400, "{internal}");
        assert!(started.elapsed() < Duration::from_secs(2), "{internal}: answered at once");
        let reason = response.text().await.unwrap();
        assert!(reason.contains("hub.callback"), "{internal}: {reason}");
    }
    assert_eq!(pending_verifications(&app.store).await, 0, "nothing refused is queued");

    // One queued before the guard was consulted at the door (by an older version) is
    // dropped at its first attempt, not retried.
    let queued = NewWebsubRequest {
        subscribe: true,
        topic: topic.clone(),
        callback: "http://169.254.169.254/latest/meta-data".into(),
        callback_host: "169.254.169.254".into(),
        lease_seconds: 3600,
        secret: None,
    };
    let caps = PendingCaps { per_host: 1, total: 1 };
    assert_eq!(app.store.add_websub_request(&queued, caps).await.unwrap(), Queued::Accepted);
    eventually("the refused request is dropped", Duration::from_secs(3), || async {
        pending_verifications(&app.store).await == 0
    })
    .await;
}

async fn pending_verifications_are_capped_per_callback_host(app: TestApp) {
    app.with_example_catalog().await;
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    let silent = Silent::start().await;
    for n in 0..PER_HOST {
        let response = subscribe(&app, "subscribe", &topic, &silent.url(&format!("/cb/{n}")), None).await;
        assert_eq!(response.status(), 202, "request {n}");
    }
    // Another port is the same host.
    for callback in [silent.url("/one-more"), "http://127.0.0.1:9/elsewhere".to_owned()] {
        let response = subscribe(&app, "subscribe", &topic, &callback, None).await;
        assert_eq!(response.status(), 429, "{callback}");
        assert!(response.headers().get("retry-after").is_some(), "429 says when to come back");
        assert!(response.text().await.unwrap().contains("127.0.0.1"), "the reason names the host");
    }
    assert_eq!(pending_verifications(&app.store).await, PER_HOST as i64, "nothing more was queued");
    // Another host is not held up by this one.
    let subscriber = Mock::start().await;
    let other = subscriber.url("/cb").replace("127.0.0.1", "localhost");
    subscribed(&app, &topic, &other, None).await;
}

async fn slow_callbacks_do_not_delay_another_subscribers_verification(app: TestApp) {
    app.with_example_catalog().await;
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    let silent = Silent::start().await;
    // More than one instance used to verify at once (8), within one host's cap.
    let slow = 12;
    for n in 0..slow {
        let response = subscribe(&app, "subscribe", &topic, &silent.url(&format!("/cb/{n}")), None).await;
        assert_eq!(response.status(), 202);
    }
    let subscriber = Mock::start().await;
    let callback = subscriber.url("/cb").replace("127.0.0.1", "localhost");
    let asked = Instant::now();
    assert_eq!(subscribe(&app, "subscribe", &topic, &callback, None).await.status(), 202);
    eventually("the subscription is active", VERIFY_TIMEOUT, || async {
        app.store.websub_subscribers(&topic).await.unwrap().iter().any(|(c, _)| *c == callback)
    })
    .await;
    println!("verified {:?} after asking, behind {slow} silent callbacks", asked.elapsed());
    eventually("every slow verification is under way at once", VERIFY_TIMEOUT, || async { silent.accepted() >= slow })
        .await;
}

async fn slow_subscribers_do_not_hold_up_deliveries_to_others(app: TestApp) {
    let token = app.with_example_catalog().await;
    let topic = format!("{}/columns/zhuanti/atom.xml", app.base_url);
    let slow = Mock::start().await;
    let slow_count = 12;
    for n in 0..slow_count {
        let response = subscribe(&app, "subscribe", &topic, &slow.url(&format!("/cb/{n}")), None).await;
        assert_eq!(response.status(), 202);
    }
    eventually("the slow subscribers are subscribed", WAIT, || async {
        app.store.websub_subscribers(&topic).await.unwrap().len() == slow_count
    })
    .await;
    slow.stall_posts();
    let subscriber = Mock::start().await;
    let callback = subscriber.url("/cb").replace("127.0.0.1", "localhost");
    subscribed(&app, &topic, &callback, None).await;

    let pushed = Instant::now();
    assert_eq!(app.push(&token, &example_article()).await.status(), 201);
    // Within a verification's timeout: well before any slow delivery has timed out.
    let delivery = subscriber.wait_for("the delivery", VERIFY_TIMEOUT, |r| r.method == "POST").await;
    println!("delivered {:?} after the push, beside {slow_count} stalled subscribers", delivery.at - pushed);
    eventually("every slow delivery is under way at once", VERIFY_TIMEOUT, || async {
        slow.posts().len() >= slow_count
    })
    .await;
}

/// Two instances (two connection pools) queue requests at once: the caps hold for both
/// together, counted in the database.
async fn the_verification_queue_is_capped_for_all_instances_together(mut app: TestApp) {
    // Only the queue is under test: no notifier verifies (and removes) what it holds.
    app.stop();
    let request = |n: usize, host: &str| NewWebsubRequest {
        subscribe: true,
        topic: format!("{}/rss.xml", app.base_url),
        callback: format!("https://{host}/cb/{n}"),
        callback_host: host.to_owned(),
        lease_seconds: 3600,
        secret: None,
    };
    let per_host = PendingCaps { per_host: 3, total: 100 };
    let mut outcomes = Vec::new();
    for n in 0..4 {
        outcomes.push(app.store.add_websub_request(&request(n, "a.example"), per_host).await.unwrap());
    }
    assert_eq!(outcomes, [Queued::Accepted, Queued::Accepted, Queued::Accepted, Queued::HostFull]);

    let other = Store::connect(&app.config.database_url).await.unwrap();
    let caps = PendingCaps { per_host: 3, total: 8 };
    let mut adding = tokio::task::JoinSet::new();
    for n in 0..20 {
        let store = if n % 2 == 0 { app.store.clone() } else { other.clone() };
        let request = request(n, &format!("host-{n}.example"));
        adding.spawn(async move { store.add_websub_request(&request, caps).await.unwrap() });
    }
    let outcomes = adding.join_all().await;
    let accepted = outcomes.iter().filter(|o| **o == Queued::Accepted).count();
    assert_eq!(accepted, 5, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| matches!(o, Queued::Accepted | Queued::QueueFull)), "{outcomes:?}");
    assert_eq!(pending_verifications(&app.store).await, 8);
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
    // A subscriber still on the topic hears of the next article; by then the dropped one
    // would have too.
    let listener = Mock::start().await;
    subscribed(&app, &topic, &listener.url("/cb"), None).await;
    let mut other = example_article();
    other["original_url"] = json!("http://www.cjxww.cn/another");
    assert_eq!(app.push(&token, &other).await.status(), 201);
    listener.wait_for("the next delivery", WAIT, |r| r.method == "POST" && r.text().contains("/another")).await;
    assert_eq!(subscriber.posts().len(), attempts.len(), "a dropped subscriber hears nothing more");
}
