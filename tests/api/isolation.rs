//! One article the database refuses costs only itself: its neighbours in a batch, an
//! imported document or a polled feed are stored, it is reported as refused, and a
//! poll says so on its source.

use crate::helpers::{numbered_article, serve_feeds, Backend, TestApp};
use crate::stories;
use serde_json::{json, Value};

stories!(a_row_the_database_refuses_costs_only_itself, an_original_url_too_long_to_index_is_refused_by_name);

/// Makes the database refuse any article whose title contains "poison", as it would a
/// value it cannot hold.
async fn poison_titles(app: &TestApp) {
    let sql = match app.backend() {
        Backend::Sqlite => {
            "CREATE TRIGGER poison BEFORE INSERT ON articles WHEN NEW.title LIKE '%poison%' \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;"
        }
        Backend::Postgres => {
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
               IF NEW.title LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = 'check_violation'; END IF; \
               RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER poison BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION poison();"
        }
    };
    app.execute_sql(sql).await;
}

fn feed(first: usize) -> String {
    let items: String = [("good", first), ("poison", first + 1), ("good", first + 2)]
        .iter()
        .map(|(title, n)| {
            format!("<item><title>{title} {n}</title><link>http://www.cjxww.cn/doc?id={n}</link><description>x</description></item>")
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://www.cjxww.cn/</link>{items}</channel></rss>")
}

async fn a_row_the_database_refuses_costs_only_itself(app: TestApp) {
    let token = app.with_example_catalog().await;
    poison_titles(&app).await;

    // Alone: a clear answer, not a server error.
    let mut poisoned = numbered_article(1, "party-96");
    poisoned["title"] = json!("poison 1");
    let alone = app.push(&token, &poisoned).await;
    assert_eq!(alone.status(), 422);
    assert!(alone.json::<Value>().await.unwrap()["fields"]["article"].is_string());

    // In a batch: the others are stored.
    let mut batch: Vec<Value> = (2..=4).map(|n| numbered_article(n, "party-96")).collect();
    batch[1]["title"] = json!("poison 3");
    let answer: Value = app.push_batch(&token, &batch).await.json().await.unwrap();
    assert_eq!((answer["created"].as_i64(), answer["refused"].as_i64()), (Some(2), Some(1)), "{answer}");
    assert_eq!(answer["results"][1]["status"], "refused");

    // In an imported document.
    let (_, imported) = app.import_into_party_96(&token, "application/rss+xml", feed(100)).await;
    let stored = imported["items"].as_array().unwrap().iter().filter(|i| i["id"].is_i64()).count();
    assert_eq!(stored, 2, "{imported}");

    // In a polled feed: stored but the one, whose refusal the source's status shows.
    let created = app
        .admin_post(
            "/api/v1/sources",
            json!({"outlet": "cjrb", "url": format!("{}/feed.xml", serve_feeds(vec![("/feed.xml", feed(300))]).await), "columns": ["party-96"]}),
        )
        .await;
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let polled: Value = app.admin_post(&format!("/api/v1/sources/{id}/poll"), json!({})).await.json().await.unwrap();
    assert_eq!((polled["items_new"].as_i64(), polled["items_refused"].as_i64()), (Some(2), Some(1)), "{polled}");
    let sources: Value = app.admin_get("/api/v1/sources").await.json().await.unwrap();
    let refusals = sources["sources"][0]["refusals"].to_string();
    assert!(refusals.contains("could not store"), "{sources}");

    let feed: Value = app.get("/columns/party-96/feed.json").await.json().await.unwrap();
    let titles: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles.len(), 6, "{titles:?}");
    assert!(titles.iter().all(|t| !t.contains("poison")), "{titles:?}");
}

/// Percent-encoded, 670 Chinese characters take 6 KB: more than PostgreSQL can index.
async fn an_original_url_too_long_to_index_is_refused_by_name(app: TestApp) {
    let token = app.with_example_catalog().await;
    let mut article = numbered_article(1, "party-96");
    article["original_url"] = json!(format!("http://www.cjxww.cn/{}", "新闻".repeat(335)));
    let response = app.push(&token, &article).await;
    assert_eq!(response.status(), 422);
    let answer: Value = response.json().await.unwrap();
    assert!(answer["fields"]["original_url"].as_str().unwrap().contains("percent-encoded"), "{answer}");
}
