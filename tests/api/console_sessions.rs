//! Console sessions as a browser lives them: signing in (cookie flags, `next`), one
//! answer for every wrong login, throttling per account and per address, no session
//! fixation, CSRF on every console form, idle and absolute expiry, a disabled user or a
//! changed password ending sessions at once, logout ending them server-side, and two
//! instances on one database accepting the same session.

use crate::browser::{add_user, check_page, Browser, PASSWORD};
use crate::helpers::TestApp;
use crate::mock::eventually;
use crate::stories;
use reqwest::header::SET_COOKIE;
use serde_json::json;
use std::time::{Duration, Instant};

stories!(
    a_user_signs_in_and_works_in_the_console_frame,
    every_wrong_login_gets_the_same_answer,
    failed_logins_are_throttled_per_account_and_per_address,
    a_session_id_from_before_the_login_is_never_the_session,
    console_forms_need_the_session_csrf_token,
    disabling_a_user_or_changing_its_password_ends_its_sessions,
    a_wrong_current_password_counts_as_a_failed_login,
    a_request_the_console_cannot_read_gets_a_console_page,
    another_instance_accepts_the_same_session,
    without_trusted_proxies_a_forwarded_address_is_ignored,
);
stories!(with short_idle_timeout: an_unused_session_ends_after_the_idle_timeout);
stories!(with short_lifetime: a_busy_session_ends_at_its_lifetime);
stories!(with behind_a_local_proxy: behind_a_trusted_proxy_each_client_has_its_own_address);

const IDLE_SECS: u64 = 2;
const LIFETIME_SECS: u64 = 3;

fn short_idle_timeout(config: &mut syndic::config::Config) {
    config.sessions.idle_timeout = Duration::from_secs(IDLE_SECS);
}

fn short_lifetime(config: &mut syndic::config::Config) {
    config.sessions.lifetime = Duration::from_secs(LIFETIME_SECS);
}

async fn a_user_signs_in_and_works_in_the_console_frame(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "admin").await;
    add_user(&app, "lisi", "李四", "editor").await;
    let browser = Browser::new(&app);
    let away = browser.get("/admin/").await;
    assert_eq!((away.status, away.location()), (303, "/admin/login?next=%2Fadmin%2F"));
    let deep = browser.get("/admin/account?x=1").await;
    assert_eq!(deep.location(), "/admin/login?next=%2Fadmin%2Faccount%3Fx%3D1");

    let form = browser.get("/admin/login?next=%2Fadmin%2F").await;
    assert_eq!(form.status, 200);
    for needed in [
        "<html lang=\"zh-CN\"",
        "<label for=\"username\"",
        "<label for=\"password\"",
        "name=\"username\"",
        "name=\"password\"",
        "type=\"password\"",
    ] {
        assert!(form.body.contains(needed), "{needed} in {}", form.body);
    }
    assert_eq!(form.headers["cache-control"], "no-store");
    let csp = form.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'self'") && !csp.contains("script-src"));

    let signed_in = browser.sign_in_to("%2Fadmin%2Faccount", "wangfang", PASSWORD).await;
    assert_eq!((signed_in.status, signed_in.location()), (303, "/admin/account"), "{}", signed_in.body);
    let set: Vec<&str> = signed_in.headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    let session = set.iter().find(|c| c.starts_with("syndic_session=")).expect("a session cookie");
    let flags: Vec<&str> = session.split(';').skip(1).map(str::trim).collect();
    assert!(flags.contains(&"HttpOnly") && flags.contains(&"SameSite=Lax") && flags.contains(&"Path=/"), "{session}");
    assert!(!session.contains("Domain") && !session.contains("Secure"), "http: no Secure; never a Domain: {session}");
    assert_eq!(browser.cookie("syndic_session").unwrap().len(), 64, "256 random bits");

    let home = browser.get("/admin/").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.headers["cache-control"], "no-store");
    for shown in [
        "Test Portal",
        "王芳",
        "管理员",
        "href=\"/admin/articles\"",
        "href=\"/admin/quarantine\"",
        "href=\"/admin/users\"",
        "href=\"/admin/audit\"",
        "action=\"/admin/logout\"",
        "aria-current=\"page\"",
    ] {
        assert!(home.body.contains(shown), "{shown} in {}", home.body);
    }
    let stylesheet = home.body.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap();
    let css = browser.get(stylesheet).await;
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.headers["cache-control"].to_str().unwrap().contains("max-age=31536000"));
    assert_eq!(browser.get("/admin/no-such-page").await.status, 404);

    // Only a console path is followed after signing in.
    for elsewhere in [
        "%2F%2Fevil.example%2F",
        "https%3A%2F%2Fevil.example%2F",
        "%2Fadmin%2F%5C%5Cevil.example",
        "%2Fadmin%2F..%2F..%2F%2Fevil.example",
        "%2Fadmin%2F..%2Fapi%2Fv1%2Fdashboard",
    ] {
        let other = Browser::new(&app);
        let answer = other.sign_in_to(elsewhere, "lisi", PASSWORD).await;
        assert_eq!((answer.status, answer.location()), (303, "/admin/"), "next={elsewhere}");
    }
    let editor = Browser::new(&app);
    editor.sign_in("lisi", PASSWORD).await;
    let home = editor.get("/admin/").await;
    assert!(home.body.contains("李四") && home.body.contains("编辑"));
    assert!(!home.body.contains("href=\"/admin/users\""), "users are the admin's alone");
    // A role change shows at the next request: the session holds only the user.
    assert_eq!(app.admin_patch("/api/v1/users/lisi", json!({"role": "admin"})).await.status(), 200);
    assert!(editor.get("/admin/").await.body.contains("href=\"/admin/users\""));
}

async fn every_wrong_login_gets_the_same_answer(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    add_user(&app, "zhaoliu", "赵六", "viewer").await;
    assert_eq!(app.admin_patch("/api/v1/users/zhaoliu", json!({"disabled": true})).await.status(), 200);
    let mut bodies = Vec::new();
    for (username, password) in [("wangfang", "wrong password here"), ("nobody", PASSWORD), ("zhaoliu", PASSWORD)] {
        let browser = Browser::new(&app);
        let answer = browser.sign_in(username, password).await;
        assert_eq!(answer.status, 401, "{username}");
        assert!(answer.body.contains("用户名或密码不正确。"), "{}", answer.body);
        assert!(browser.cookie("syndic_session").is_none());
        // The same page but for the username typed and the fresh login token.
        let token = answer.hidden("login_token");
        bodies.push(answer.body.replace(&token, "TOKEN").replace(&format!("value=\"{username}\""), "value=\"USER\""));
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]), "one answer for every wrong login");
    // A login form from elsewhere (no matching login token) is refused.
    let browser = Browser::new(&app);
    let forged =
        browser.post("/admin/login", &[("username", "wangfang"), ("password", PASSWORD), ("login_token", "x")]).await;
    assert_eq!(forged.status, 403);
    assert!(browser.cookie("syndic_session").is_none());
}

async fn failed_logins_are_throttled_per_account_and_per_address(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    add_user(&app, "lisi", "李四", "editor").await;
    let browser = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(browser.sign_in("wangfang", "not the password").await.status, 401);
    }
    let locked = browser.sign_in("WangFang", PASSWORD).await;
    assert_eq!(locked.status, 429, "the right password too, while locked");
    let retry: u64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(browser.cookie("syndic_session").is_none());
    // Another account from the same address still signs in, until the address has
    // failed 20 times, over any accounts.
    let other = Browser::new(&app);
    assert_eq!(other.sign_in("lisi", PASSWORD).await.status, 303);
    for n in 5..20 {
        assert_eq!(browser.sign_in(&format!("nobody-{n}"), "not the password").await.status, 401, "failure {n}");
    }
    let locked = Browser::new(&app).sign_in("lisi", PASSWORD).await;
    assert_eq!(locked.status, 429, "20 failures from this address");
    assert!(locked.headers.contains_key("retry-after"));
    let failures = app.query_number("SELECT COUNT(*) FROM login_failures WHERE kind = 'address'").await;
    assert_eq!(failures, 20, "refused attempts are not counted as failures");
}

async fn a_session_id_from_before_the_login_is_never_the_session(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let planted = "a".repeat(64);
    let browser = Browser::new(&app);
    browser.set_cookie("syndic_session", &planted);
    assert_eq!(browser.get("/admin/").await.status, 303, "an unknown id is no session");
    browser.set_cookie("syndic_session", &planted);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    let session = browser.cookie("syndic_session").unwrap();
    assert_ne!(session, planted, "a new id at login");
    assert_eq!(browser.get("/admin/").await.status, 200);
    let attacker = Browser::new(&app);
    attacker.set_cookie("syndic_session", &planted);
    assert_eq!(attacker.get("/admin/").await.status, 303, "the planted id is not accepted");
    // Signing in again from a signed-in browser ends the session it had.
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    assert_ne!(browser.cookie("syndic_session").unwrap(), session);
    let stale = Browser::new(&app);
    stale.set_cookie("syndic_session", &session);
    assert_eq!(stale.get("/admin/").await.status, 303, "the id held before the new login is ended");
    let stored =
        app.query_number(&format!("SELECT COUNT(*) FROM console_sessions WHERE id_digest = '{session}'")).await;
    assert_eq!(stored, 0, "ids are stored only as digests");
}

async fn console_forms_need_the_session_csrf_token(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    let csrf = browser.csrf().await;
    assert_eq!(csrf.len(), 64);
    let language = "SELECT COUNT(*) FROM users WHERE language IS NOT NULL";
    for (path, fields) in [
        ("/admin/logout", vec![]),
        ("/admin/logout", vec![("csrf", "0".repeat(64))]),
        ("/admin/account/language", vec![("language", "en".to_owned())]),
        ("/admin/account/language", vec![("language", "en".to_owned()), ("csrf", format!("{csrf}0"))]),
        (
            "/admin/account/password",
            vec![("current_password", PASSWORD.to_owned()), ("new_password", "another long passphrase".to_owned())],
        ),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = browser.post(path, &fields).await;
        assert_eq!(refused.status, 403, "{path} {fields:?}");
        assert!(refused.body.contains("未做任何更改"), "{}", refused.body);
    }
    // With the right token but from another site's page.
    let url = format!("{}/admin/account/language", app.url(""));
    let foreign = browser
        .send(
            browser
                .client
                .post(&url)
                .header("origin", "http://evil.example")
                .form(&[("language", "en"), ("csrf", &csrf)]),
        )
        .await;
    assert_eq!(foreign.status, 403);
    assert_eq!(app.query_number(language).await, 0, "nothing changed");
    assert_eq!(browser.get("/admin/").await.status, 200, "still signed in");
    assert_eq!(Browser::new(&app).sign_in("wangfang", PASSWORD).await.status, 303, "the password is unchanged");

    // With the token: the change is made, and the console speaks English.
    let ours = app.url("");
    let saved = browser
        .send(browser.client.post(&url).header("origin", ours).form(&[("language", "en"), ("csrf", &csrf)]))
        .await;
    assert_eq!((saved.status, saved.location()), (303, "/admin/account?saved=language"));
    let home = browser.get("/admin/").await;
    assert!(home.body.contains("<html lang=\"en\"") && home.body.contains("Sign out"), "{}", home.body);

    let old = browser.cookie("syndic_session").unwrap();
    let out = browser.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location()), (303, "/admin/login"));
    assert!(browser.cookie("syndic_session").is_none(), "the cookie is cleared");
    let replay = Browser::new(&app);
    replay.set_cookie("syndic_session", &old);
    assert_eq!(replay.get("/admin/").await.status, 303, "the session ended on the server");
    assert_eq!(app.query_number("SELECT COUNT(*) FROM console_sessions").await, 1, "only the other browser's");
}

async fn disabling_a_user_or_changing_its_password_ends_its_sessions(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let (first, second) = (Browser::new(&app), Browser::new(&app));
    assert_eq!(first.sign_in("wangfang", PASSWORD).await.status, 303);
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"disabled": true})).await.status(), 200);
    assert_eq!(first.get("/admin/").await.status, 303, "disabled: its session dies at once");
    assert_eq!(app.admin_patch("/api/v1/users/wangfang", json!({"disabled": false})).await.status(), 200);
    assert_eq!(first.get("/admin/").await.status, 303, "enabled again: the ended session stays ended");

    // A password set by an admin ends every session of the user.
    assert_eq!(first.sign_in("wangfang", PASSWORD).await.status, 303);
    assert_eq!(
        app.admin_patch("/api/v1/users/wangfang", json!({"password": "a new long passphrase"})).await.status(),
        200
    );
    assert_eq!(first.get("/admin/").await.status, 303);

    // The user's own change: this browser carries on in a new session, the others end.
    assert_eq!(first.sign_in("wangfang", "a new long passphrase").await.status, 303);
    assert_eq!(second.sign_in("wangfang", "a new long passphrase").await.status, 303);
    let csrf = first.csrf().await;
    let wrong = first
        .post(
            "/admin/account/password",
            &[("csrf", &csrf), ("current_password", "not it at all"), ("new_password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("current_password-error"), "{}", wrong.body);
    let before = first.cookie("syndic_session").unwrap();
    let changed = first
        .post(
            "/admin/account/password",
            &[("csrf", &csrf), ("current_password", "a new long passphrase"), ("new_password", PASSWORD)],
        )
        .await;
    assert_eq!((changed.status, changed.location()), (303, "/admin/account?saved=password"), "{}", changed.body);
    assert_ne!(first.cookie("syndic_session").unwrap(), before, "a new session id after the change");
    assert_eq!(first.get("/admin/").await.status, 200);
    assert_eq!(second.get("/admin/").await.status, 303, "the other session ended");
    let account = first.get("/admin/account").await;
    assert_eq!(account.body.matches("<tr>").count(), 2, "one session listed, under the heading row: {}", account.body);
}

async fn another_instance_accepts_the_same_session(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    let other = app.another_instance().await;
    let there = Browser::at(&other.url(""));
    there.set_cookie("syndic_session", &browser.cookie("syndic_session").unwrap());
    let home = there.get("/admin/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("王芳"));
    let csrf = there.csrf().await;
    assert_eq!(there.post("/admin/logout", &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(browser.get("/admin/").await.status, 303, "signed out on one, out on both");
}

async fn an_unused_session_ends_after_the_idle_timeout(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    // Used more often than the timeout, it lives past it.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(IDLE_SECS * 2) {
        assert_eq!(browser.get("/admin/").await.status, 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // Left alone for the timeout itself, it ends.
    tokio::time::sleep(Duration::from_secs(IDLE_SECS) + Duration::from_millis(200)).await;
    assert_eq!(browser.get("/admin/").await.status, 303);
}

async fn a_busy_session_ends_at_its_lifetime(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let browser = Browser::new(&app);
    let signed_in = Instant::now();
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    eventually("the session ends", Duration::from_secs(LIFETIME_SECS * 3), || async {
        browser.get("/admin/").await.status == 303
    })
    .await;
    assert!(signed_in.elapsed() >= Duration::from_secs(LIFETIME_SECS), "not before its lifetime");
}

fn behind_a_local_proxy(config: &mut syndic::config::Config) {
    config.trusted_proxies = syndic::domain::networks::Networks::parse("127.0.0.1, ::1").unwrap();
}

/// A client as the reverse proxy on 127.0.0.1 forwards it.
fn forwarded_for(browser: &Browser, client: &str) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", format!("198.51.100.200, {client}").parse().unwrap());
    Browser::with_headers(&browser.base, headers)
}

async fn behind_a_trusted_proxy_each_client_has_its_own_address(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let direct = Browser::new(&app);
    let attacker = forwarded_for(&direct, "203.0.113.7");
    for n in 0..20 {
        assert_eq!(attacker.sign_in(&format!("nobody-{n}"), "not the password").await.status, 401, "failure {n}");
    }
    assert_eq!(attacker.sign_in("wangfang", PASSWORD).await.status, 429, "this client is locked out");
    let colleague = forwarded_for(&direct, "203.0.113.8");
    assert_eq!(colleague.sign_in("wangfang", PASSWORD).await.status, 303, "another client behind the proxy is not");
    let account = colleague.get("/admin/account").await;
    assert!(account.body.contains("203.0.113.8"), "the session names the client, not the proxy");
    assert!(!account.body.contains("198.51.100.200"), "a hop the client wrote proves nothing");
    // The console's logins reach the audit log, with the client's own address.
    let log: serde_json::Value = app.admin_get("/api/v1/audit?action=login").await.json().await.unwrap();
    assert_eq!(log["items"][0]["actor"], "user:wangfang");
    assert_eq!(log["items"][0]["after"], json!({"address": "203.0.113.8"}));
    let failed = app.admin_get("/api/v1/audit?action=login.failed&actor=visitor%3A203.0.113.7&limit=500").await;
    let failed: serde_json::Value = failed.json().await.unwrap();
    assert_eq!(failed["items"].as_array().unwrap().len(), 20, "each failure, none of the throttled attempts");
    assert_eq!(failed["items"][0]["after"], json!({"username": "nobody-19", "address": "203.0.113.7"}));
}

async fn without_trusted_proxies_a_forwarded_address_is_ignored(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let direct = Browser::new(&app);
    for n in 0..20 {
        let client = forwarded_for(&direct, &format!("203.0.113.{n}"));
        assert_eq!(client.sign_in(&format!("nobody-{n}"), "not the password").await.status, 401, "failure {n}");
    }
    let another = forwarded_for(&direct, "192.0.2.1");
    assert_eq!(another.sign_in("wangfang", PASSWORD).await.status, 429, "every failure counted for the peer");
}

async fn a_wrong_current_password_counts_as_a_failed_login(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "editor").await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    let csrf = browser.csrf().await;
    let change = |current: &'static str| {
        let csrf = csrf.clone();
        let browser = &browser;
        async move {
            let fields =
                [("csrf", csrf.as_str()), ("current_password", current), ("new_password", "a new long passphrase")];
            browser.post("/admin/account/password", &fields).await
        }
    };
    for _ in 0..5 {
        assert_eq!(change("a guess at it").await.status, 422);
    }
    let locked = change(PASSWORD).await;
    assert_eq!(locked.status, 422, "the right password too, while the account is locked");
    assert!(locked.body.contains("current_password-error"), "{}", locked.body);
    assert_eq!(Browser::new(&app).sign_in("wangfang", PASSWORD).await.status, 429, "the login is locked as well");
    let failed: serde_json::Value = app.admin_get("/api/v1/audit?action=login.failed").await.json().await.unwrap();
    assert_eq!(failed["items"].as_array().unwrap().len(), 5, "each wrong guess audited");
}

async fn a_request_the_console_cannot_read_gets_a_console_page(app: TestApp) {
    add_user(&app, "wangfang", "王芳", "admin").await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in("wangfang", PASSWORD).await.status, 303);
    let long_form = "x".repeat(2 << 20);
    let unreadable = [
        browser.get("/admin/articles/abc").await,
        browser.get("/admin/articles?status=a&status=b").await,
        browser.get("/admin/login?next=%2Fadmin%2Fx&next=%2Fadmin%2Fy").await,
        browser.post("/admin/login", &[("username", "a"), ("username", "b")]).await,
        browser.post("/admin/login", &[("username", long_form.as_str())]).await,
    ];
    for answer in unreadable {
        assert!(answer.status.to_string().starts_with('4'), "{}", answer.status);
        assert!(answer.headers["content-type"].to_str().unwrap().starts_with("text/html"), "{}", answer.body);
        assert!(answer.body.contains("<html lang=\"zh-CN\""), "{}", answer.body);
        check_page(&answer.body);
    }
}
