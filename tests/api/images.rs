//! Images kept and served by syndic (issue 17): an outlet site made by the test, whose
//! images are behind hotlink protection (防盗链: 403 to a foreign or missing Referer),
//! has them fetched with the article's own URL as Referer, kept by content, served
//! identically at `/media/{hash}.{ext}`, and pointed at by pages, feeds and the partner
//! API; what is too large or no image keeps its original URL; a failing server is
//! retried; one image in two articles is kept once; an outlet that does not keep images
//! has nothing fetched.

use crate::browser::{check_page, signed_in};
use crate::helpers::TestApp;
use crate::mock::eventually;
use crate::stories;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);

stories!(
    hotlink_protected_images_are_kept_with_the_articles_referer_and_served_identically,
    an_image_whose_server_fails_is_retried_until_it_is_kept,
    one_image_shown_by_two_articles_is_kept_once,
    an_outlet_that_does_not_keep_images_has_nothing_fetched,
    turning_keep_images_on_keeps_the_images_of_articles_stored_before,
    the_console_sets_keep_images_and_shows_where_each_image_stands,
);
stories!(with small_images: images_too_large_or_not_images_keep_their_original_url);

/// Images of at most 4 KiB are kept.
fn small_images(config: &mut syndic::config::Config) {
    config.media.max_image_bytes = 4096;
}

/// A JPEG-looking body: the magic number, then bytes unique to `seed`.
fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    bytes
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend([7u8; 64]);
    bytes
}

/// The outlet's site: images under `/img/`, served only to a Referer on its own
/// articles (`/article/…`); `/img/flaky.png` fails with 503 `flaky` times first.
struct OutletSite {
    base: String,
    /// (path, Referer) of every image request.
    requests: Mutex<Vec<(String, Option<String>)>>,
    flaky: AtomicUsize,
}

impl OutletSite {
    async fn start(flaky: usize) -> Arc<OutletSite> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let site = Arc::new(OutletSite { base, requests: Mutex::new(Vec::new()), flaky: AtomicUsize::new(flaky) });
        let app = axum::Router::new().route("/img/{name}", axum::routing::get(image)).with_state(site.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        site
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The Referers an image was asked for with.
    fn referers(&self, path: &str) -> Vec<Option<String>> {
        self.requests.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, r)| r.clone()).collect()
    }
}

async fn image(State(site): State<Arc<OutletSite>>, Path(name): Path<String>, headers: HeaderMap) -> impl IntoResponse {
    let referer = headers.get("referer").and_then(|r| r.to_str().ok()).map(str::to_owned);
    site.requests.lock().unwrap().push((format!("/img/{name}"), referer.clone()));
    if !referer.is_some_and(|r| r.starts_with(&site.url("/article/"))) {
        return (StatusCode::FORBIDDEN, [("content-type", "text/html")], b"<h1>hotlinking forbidden</h1>".to_vec());
    }
    let jpeg_type = [("content-type", "image/jpeg")];
    match name.as_str() {
        "pic.jpg" => (StatusCode::OK, jpeg_type, jpeg(1, 3000)),
        "lead.jpg" => (StatusCode::OK, jpeg_type, jpeg(2, 500)),
        "big.jpg" => (StatusCode::OK, jpeg_type, jpeg(3, 5000)),
        "page.jpg" => (StatusCode::OK, jpeg_type, b"<!DOCTYPE html><title>not found</title>".to_vec()),
        "logo.svg" => (
            StatusCode::OK,
            [("content-type", "image/svg+xml")],
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
        ),
        "flaky.png" if site.flaky.load(Ordering::SeqCst) > 0 => {
            site.flaky.fetch_sub(1, Ordering::SeqCst);
            (StatusCode::SERVICE_UNAVAILABLE, [("content-type", "text/plain")], b"busy".to_vec())
        }
        "flaky.png" => (StatusCode::OK, [("content-type", "image/png")], png()),
        _ => (StatusCode::NOT_FOUND, [("content-type", "text/plain")], b"no".to_vec()),
    }
}

/// A column and an outlet on `site` (its URLs anywhere: the site is an IP address),
/// keeping images or not; its ingest token.
async fn catalog(app: &TestApp, slug: &str, site: &OutletSite, keep_images: bool) -> String {
    if app.get("/columns/news").await.status() == 404 {
        app.add_column("news", "新闻", None).await;
    }
    let outlet = json!({"homepage": site.url("/"), "domains": "any", "keep_images": keep_images});
    app.add_outlet(slug, outlet).await
}

/// Pushes an article showing `content_images` in its content; its id and original URL.
async fn push(
    app: &TestApp,
    token: &str,
    site: &OutletSite,
    n: u32,
    content_images: &[&str],
    extra: Value,
) -> (i64, String) {
    let images: String =
        content_images.iter().map(|path| format!("<p><img src=\"{}\" alt=\"图\"></p>", site.url(path))).collect();
    let mut article = json!({
        "original_url": site.url(&format!("/article/{n}.html")),
        "title": format!("图片稿件 {n}"),
        "content_html": format!("<p>正文 {n}</p>{images}"),
        "original_published_at": "2018-06-28 11:39:20",
        "columns": ["news"],
    });
    article.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let response = app.push(token, &article).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let body: Value = response.json().await.unwrap();
    (body["id"].as_i64().unwrap(), body["original_url"].as_str().unwrap().to_owned())
}

/// The article's images as staff see them, once none is pending any more.
async fn settled_images(app: &TestApp, id: i64, count: usize) -> Vec<Value> {
    let path = format!("/api/v1/admin/articles/{id}/images");
    eventually("every image is kept, refused or failed", WAIT, || async {
        let body: Value = app.admin_get(&path).await.json().await.unwrap();
        let images = body["images"].as_array().unwrap().clone();
        images.len() == count && images.iter().all(|i| i["state"] != "pending")
    })
    .await;
    let body: Value = app.admin_get(&path).await.json().await.unwrap();
    body["images"].as_array().unwrap().clone()
}

fn image_for<'a>(images: &'a [Value], url: &str) -> &'a Value {
    images.iter().find(|i| i["url"] == url).unwrap_or_else(|| panic!("{url} in {images:#?}"))
}

async fn hotlink_protected_images_are_kept_with_the_articles_referer_and_served_identically(app: TestApp) {
    let site = OutletSite::start(0).await;
    let token = catalog(&app, "cjrb", &site, true).await;
    let extra = json!({
        "image": {"url": site.url("/img/lead.jpg"), "caption": "头图"},
        "enclosures": [
            {"url": site.url("/img/pic.jpg"), "type": "image/jpeg", "length": 1},
            {"url": site.url("/audio/1.mp3"), "type": "audio/mpeg", "length": 1024}
        ],
    });
    let (id, original_url) = push(&app, &token, &site, 1, &["/img/pic.jpg"], extra).await;

    // The protection is real: without the article's URL as Referer, no image.
    let foreign = reqwest::Client::new().get(site.url("/img/pic.jpg")).header("referer", app.url("/")).send().await;
    assert_eq!(foreign.unwrap().status(), 403);

    let images = settled_images(&app, id, 2).await;
    let pic = image_for(&images, &site.url("/img/pic.jpg"));
    let lead = image_for(&images, &site.url("/img/lead.jpg"));
    assert_eq!((&pic["state"], &lead["state"]), (&json!("kept"), &json!("kept")), "{images:#?}");
    assert!(site.referers("/audio/1.mp3").is_empty(), "an audio enclosure is no image to keep");
    for path in ["/img/pic.jpg", "/img/lead.jpg"] {
        let referers = site.referers(path);
        assert!(referers.contains(&Some(original_url.clone())), "{path} asked for with {referers:?}");
    }

    // Served byte for byte, named by its hash, cached for good.
    let media_url = pic["media_url"].as_str().unwrap().to_owned();
    let expected = jpeg(1, 3000);
    assert_eq!(media_url, app.url(&format!("/media/{}.jpg", hex::encode(Sha256::digest(&expected)))));
    let served = app.client.get(&media_url).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(served.status(), 200);
    let header = |name: &str| served.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("content-encoding"), None, "an image is not compressed again");
    let etag = header("etag").expect("an ETag");
    assert_eq!(served.bytes().await.unwrap().to_vec(), expected);
    let again = app.client.get(&media_url).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);
    let lead_url = lead["media_url"].as_str().unwrap().to_owned();
    assert_eq!(app.client.get(&lead_url).send().await.unwrap().bytes().await.unwrap().to_vec(), jpeg(2, 500));
    for unknown in [
        "/media/nothing.jpg",
        &format!("/media/{}.jpg", "0".repeat(64)),
        &format!("/media/{}.png", &media_url[media_url.len() - 68..media_url.len() - 4]),
    ] {
        assert_eq!(app.get(unknown).await.status(), 404, "{unknown}");
    }

    // Every output points at the kept copies, once kept.
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains(&format!("src=\"{media_url}\"")), "{page}");
    assert!(page.contains(&lead_url), "the lead image: {page}");
    assert!(!page.contains(&site.url("/img/")), "no original image URL is left: {page}");
    for feed in ["/rss.xml", "/atom.xml", "/feed.json", "/columns/news/atom.xml"] {
        let body = app.get_text(feed).await;
        assert!(body.contains(&media_url) && body.contains(&lead_url), "{feed}: {body}");
        assert!(!body.contains(&site.url("/img/")), "{feed}: {body}");
        assert!(body.contains(&site.url("/audio/1.mp3")), "{feed} keeps other enclosures: {body}");
    }
    let created = app.admin_post("/api/v1/partners", json!({"name": "邻市新闻网", "columns": ["news"]})).await;
    let reader = created.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let changes: Value =
        app.client.get(app.url("/api/v1/articles")).bearer_auth(&reader).send().await.unwrap().json().await.unwrap();
    let item = &changes["items"][0];
    assert!(item["content_html"].as_str().unwrap().contains(&media_url), "{item:#}");
    assert_eq!(item["image"]["url"], json!(lead_url));
    assert_eq!(item["enclosures"][0]["url"], json!(media_url));

    // The staff API keeps what the outlet sent.
    let staff: Value = app.admin_get(&format!("/api/v1/admin/articles/{id}")).await.json().await.unwrap();
    assert!(staff["content_html"].as_str().unwrap().contains(&site.url("/img/pic.jpg")));

    // An outlet that stops keeping images is shown with its originals at once.
    let off = app.admin_patch("/api/v1/outlets/cjrb", json!({"keep_images": false})).await;
    assert_eq!(off.status(), 200);
    assert_eq!(off.json::<Value>().await.unwrap()["keep_images"], json!(false));
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains(&site.url("/img/pic.jpg")) && !page.contains(&media_url), "{page}");
}

async fn images_too_large_or_not_images_keep_their_original_url(app: TestApp) {
    let site = OutletSite::start(0).await;
    let token = catalog(&app, "cjrb", &site, true).await;
    let shown = ["/img/big.jpg", "/img/page.jpg", "/img/logo.svg", "/img/pic.jpg"];
    let (id, _) = push(&app, &token, &site, 1, &shown, json!({})).await;

    let images = settled_images(&app, id, 4).await;
    for path in ["/img/big.jpg", "/img/page.jpg", "/img/logo.svg"] {
        let refused = image_for(&images, &site.url(path));
        assert_eq!(refused["state"], "refused", "{path}: {refused:#}");
        assert!(refused["media_url"].is_null() && refused["last_error"].is_string(), "{refused:#}");
        assert_eq!(site.referers(path).len(), 1, "{path} is refused for good, not asked for again");
    }
    assert!(image_for(&images, &site.url("/img/big.jpg"))["last_error"].as_str().unwrap().contains("larger than 4096"));
    assert_eq!(image_for(&images, &site.url("/img/pic.jpg"))["state"], "kept", "an image under the limit is kept");
    assert_eq!(app.query_number("SELECT COUNT(*) FROM media").await, 1);

    let page = app.get_text(&format!("/articles/{id}")).await;
    for path in ["/img/big.jpg", "/img/page.jpg", "/img/logo.svg"] {
        assert!(page.contains(&format!("src=\"{}\"", site.url(path))), "{path} keeps its original URL: {page}");
    }
    assert!(!page.contains(&site.url("/img/pic.jpg")), "{page}");
}

async fn an_image_whose_server_fails_is_retried_until_it_is_kept(app: TestApp) {
    let site = OutletSite::start(2).await;
    let token = catalog(&app, "cjrb", &site, true).await;
    let (id, original_url) = push(&app, &token, &site, 1, &["/img/flaky.png"], json!({})).await;

    // Failing, it is pending with the reason, and readers see the original.
    let path = format!("/api/v1/admin/articles/{id}/images");
    eventually("the first failure is recorded", WAIT, || async {
        let body: Value = app.admin_get(&path).await.json().await.unwrap();
        let image = &body["images"][0];
        image["state"] == "pending" && image["attempts"].as_i64() >= Some(1) || image["state"] == "kept"
    })
    .await;
    let images = settled_images(&app, id, 1).await;
    assert_eq!(images[0]["state"], "kept", "{images:#?}");
    assert_eq!(images[0]["attempts"], 2, "two failures before it was kept");
    assert!(images[0]["last_error"].is_null());
    assert_eq!(site.referers("/img/flaky.png"), vec![Some(original_url); 3]);
    let served = app.client.get(images[0]["media_url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().to_vec(), png());
    let page = app.get_text(&format!("/articles/{id}")).await;
    assert!(page.contains(images[0]["media_url"].as_str().unwrap()), "{page}");
}

async fn one_image_shown_by_two_articles_is_kept_once(app: TestApp) {
    let site = OutletSite::start(0).await;
    let token = catalog(&app, "cjrb", &site, true).await;
    let (first, first_url) = push(&app, &token, &site, 1, &["/img/pic.jpg"], json!({})).await;
    let (second, second_url) = push(&app, &token, &site, 2, &["/img/pic.jpg"], json!({})).await;

    let one = settled_images(&app, first, 1).await;
    let two = settled_images(&app, second, 1).await;
    assert_eq!((&one[0]["state"], &two[0]["state"]), (&json!("kept"), &json!("kept")));
    assert_eq!(one[0]["media_url"], two[0]["media_url"], "one copy, one name");
    assert_eq!(app.query_number("SELECT COUNT(*) FROM media").await, 1);
    let referers = site.referers("/img/pic.jpg");
    assert!(referers.contains(&Some(first_url)) && referers.contains(&Some(second_url)), "{referers:?}");
}

async fn an_outlet_that_does_not_keep_images_has_nothing_fetched(app: TestApp) {
    let site = OutletSite::start(0).await;
    let plain = catalog(&app, "plain", &site, false).await;
    let keeping = catalog(&app, "keeping", &site, true).await;
    let outlet: Value = app.admin_get("/api/v1/outlets/plain").await.json().await.unwrap();
    assert_eq!(outlet["keep_images"], json!(false), "off by default");
    let (not_kept, _) = push(&app, &plain, &site, 1, &["/img/lead.jpg"], json!({})).await;
    // Kept only after the keeper went past the first article's change.
    let (kept, _) = push(&app, &keeping, &site, 2, &["/img/pic.jpg"], json!({})).await;
    assert_eq!(settled_images(&app, kept, 1).await[0]["state"], "kept");

    assert!(site.referers("/img/lead.jpg").is_empty(), "nothing fetched for an outlet that keeps no images");
    let body: Value = app.admin_get(&format!("/api/v1/admin/articles/{not_kept}/images")).await.json().await.unwrap();
    assert_eq!(body["images"], json!([]));
    let page = app.get_text(&format!("/articles/{not_kept}")).await;
    assert!(page.contains(&site.url("/img/lead.jpg")), "{page}");
    assert_eq!(app.admin_get("/api/v1/admin/articles/999999/images").await.status(), 404);
}

async fn turning_keep_images_on_keeps_the_images_of_articles_stored_before(app: TestApp) {
    let site = OutletSite::start(0).await;
    let token = catalog(&app, "cjrb", &site, false).await;
    let (first, first_url) = push(&app, &token, &site, 1, &["/img/pic.jpg"], json!({})).await;
    let (second, second_url) = push(&app, &token, &site, 2, &["/img/lead.jpg"], json!({})).await;
    let other = catalog(&app, "other", &site, false).await;
    let (elsewhere, _) = push(&app, &other, &site, 3, &["/img/pic.jpg"], json!({})).await;
    assert!(site.referers("/img/pic.jpg").is_empty() && site.referers("/img/lead.jpg").is_empty());

    let response = app.admin_patch("/api/v1/outlets/cjrb", json!({"keep_images": true})).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    for id in [first, second] {
        assert_eq!(settled_images(&app, id, 1).await[0]["state"], "kept", "article {id}");
    }
    assert_eq!(site.referers("/img/pic.jpg"), vec![Some(first_url)], "the other outlet's copy is not fetched");
    assert_eq!(site.referers("/img/lead.jpg"), vec![Some(second_url)]);
    let body: Value = app.admin_get(&format!("/api/v1/admin/articles/{elsewhere}/images")).await.json().await.unwrap();
    assert_eq!(body["images"], json!([]));
    assert_eq!(
        app.query_number("SELECT COUNT(*) FROM outlets WHERE images_backfill_after IS NOT NULL").await,
        0,
        "gone through once"
    );
    let page = app.get_text(&format!("/articles/{first}")).await;
    assert!(page.contains("/media/") && !page.contains(&site.url("/img/pic.jpg")), "{page}");
}

async fn the_console_sets_keep_images_and_shows_where_each_image_stands(app: TestApp) {
    let site = OutletSite::start(0).await;
    let token = catalog(&app, "cjrb", &site, true).await;
    let (id, _) = push(&app, &token, &site, 1, &["/img/pic.jpg", "/img/logo.svg"], json!({})).await;
    settled_images(&app, id, 2).await;
    let admin = signed_in(&app, "zhangsan", "admin", &[]).await;

    let outlet = admin.get("/admin/outlets/cjrb").await;
    assert_eq!(outlet.status, 200);
    check_page(&outlet.body);
    let tick = outlet.body.split("name=\"keep_images\"").nth(1).expect("the outlet form has keep_images");
    assert!(tick[..tick.find('>').unwrap()].contains("checked"), "ticked as stored: {}", outlet.body);

    let article = admin.get(&format!("/admin/articles/{id}")).await;
    assert_eq!(article.status, 200);
    check_page(&article.body);
    let card = article.body.split("id=\"images-heading\"").nth(1).expect("the kept images card");
    for (path, state) in [("/img/pic.jpg", "已保存"), ("/img/logo.svg", "已拒绝")] {
        let at = card.find(&site.url(path)).unwrap_or_else(|| panic!("{path} in {card}"));
        let dt = card[..at].rfind("<dt>").unwrap();
        assert!(card[dt..at].contains(state), "{path} is {state}: {}", &card[dt..at]);
    }
}
