//! A browser for the console's stories: one client that follows no redirects, with its
//! own cookie jar, signing in through the login form; and the checks every console page
//! passes (its HTML parses, every control has a label, `lang` is set).

use crate::helpers::TestApp;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Every console user's password in the stories.
pub const PASSWORD: &str = "长江日报 correct horse";

/// An answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).map_or("", |l| l.to_str().unwrap())
    }

    /// The value of the hidden field `name` in the page's first form that has one.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no {name} field in {}", self.body)) + marker.len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}

/// A browser: one client that follows no redirects, with its own cookie jar.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
    jar: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::at(&app.url(""))
    }

    pub fn at(base: &str) -> Browser {
        Browser::with_headers(base, HeaderMap::new())
    }

    /// A browser at `base` that sends `headers` with every request (as a proxy adds them).
    pub fn with_headers(base: &str, headers: HeaderMap) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser { client, base: base.to_owned(), jar: Mutex::default() }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar.lock().unwrap().get(name).cloned()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar.lock().unwrap().insert(name.to_owned(), value.to_owned());
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let cookies: Vec<String> = self.jar.lock().unwrap().iter().map(|(k, v)| format!("{k}={v}")).collect();
        let request = if cookies.is_empty() { request } else { request.header("cookie", cookies.join("; ")) };
        let response = request.send().await.unwrap();
        for set in response.headers().get_all(SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.contains("Max-Age=0") {
                self.jar.lock().unwrap().remove(name);
            } else {
                self.set_cookie(name, value);
            }
        }
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        Answer { status, headers, body: response.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.send(self.client.post(format!("{}{path}", self.base)).form(fields)).await
    }

    /// Opens the login page and signs in with it (following `next` when given).
    pub async fn sign_in_to(&self, next: &str, username: &str, password: &str) -> Answer {
        let form = self.get(&format!("/admin/login?next={next}")).await;
        assert_eq!(form.status, 200);
        let token = form.hidden("login_token");
        let mut fields = vec![("username", username), ("password", password), ("login_token", &token)];
        let next_field = form.body.contains("name=\"next\"").then(|| form.hidden("next"));
        if let Some(next) = &next_field {
            fields.push(("next", next));
        }
        self.post("/admin/login", &fields).await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> Answer {
        self.sign_in_to("", username, password).await
    }

    /// The session's CSRF token, as a console page's forms carry it.
    pub async fn csrf(&self) -> String {
        let page = self.get("/admin/account").await;
        assert_eq!(page.status, 200, "signed in");
        page.hidden("csrf")
    }
}

pub async fn add_user(app: &TestApp, username: &str, name: &str, role: &str) {
    let form = json!({"username": username, "name": name, "role": role, "password": PASSWORD});
    assert_eq!(app.admin_post("/api/v1/users", form).await.status(), 201);
}

/// A user with a column scope (`columns`, slugs), signed in in a browser of its own.
pub async fn signed_in(app: &TestApp, username: &str, role: &str, columns: &[&str]) -> Browser {
    let form = json!({"username": username, "name": username, "role": role, "password": PASSWORD, "columns": columns});
    assert_eq!(app.admin_post("/api/v1/users", form).await.status(), 201);
    let browser = Browser::new(app);
    assert_eq!(browser.sign_in(username, PASSWORD).await.status, 303);
    browser
}

/// What the tokenizer saw of a page: its parse errors and its tags in order.
#[derive(Default)]
struct Seen {
    errors: Vec<String>,
    tags: Vec<(TagKind, String, BTreeMap<String, String>, bool)>,
}

struct Collector(RefCell<Seen>);

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let mut seen = self.0.borrow_mut();
        match token {
            Token::ParseError(error) => seen.errors.push(format!("line {line}: {error}")),
            Token::TagToken(tag) => {
                let attrs = tag.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                seen.tags.push((tag.kind, tag.name.to_string(), attrs, tag.self_closing));
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Elements without an end tag.
const VOID: [&str; 8] = ["meta", "link", "input", "br", "img", "hr", "source", "wbr"];

/// Checks a console page as HTML5 reads it: no parse error, every element closed in
/// order, `lang` on `<html>`, no id twice, and every form control named by a
/// `<label for>` (or an `aria-label`). Panics naming what is wrong.
pub fn check_page(body: &str) {
    let tokenizer =
        Tokenizer::new(Collector(RefCell::default()), TokenizerOpts { exact_errors: true, ..Default::default() });
    let input = BufferQueue::default();
    input.push_back(body.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let seen = std::mem::take(&mut *tokenizer.sink.0.borrow_mut());
    assert!(seen.errors.is_empty(), "parse errors {:?} in {body}", seen.errors);
    let mut open: Vec<&str> = Vec::new();
    for (kind, name, _, _) in &seen.tags {
        match kind {
            TagKind::StartTag if !VOID.contains(&name.as_str()) => open.push(name),
            TagKind::StartTag => {}
            TagKind::EndTag => assert_eq!(open.pop(), Some(name.as_str()), "</{name}> closes another in {body}"),
        }
    }
    assert!(open.is_empty(), "left open: {open:?}");
    let attr = |attrs: &BTreeMap<String, String>, name: &str| attrs.get(name).cloned();
    let html = seen.tags.iter().find(|(_, name, _, _)| name == "html").expect("an <html> element");
    assert!(attr(&html.2, "lang").is_some_and(|lang| !lang.is_empty()), "<html lang>");
    let mut ids: Vec<String> = seen
        .tags
        .iter()
        .filter(|(kind, ..)| *kind == TagKind::StartTag)
        .filter_map(|(_, _, a, _)| attr(a, "id"))
        .collect();
    ids.sort();
    let repeated: Vec<&String> = ids.windows(2).filter(|pair| pair[0] == pair[1]).map(|pair| &pair[0]).collect();
    assert!(repeated.is_empty(), "ids {repeated:?} repeated in {body}");
    let labelled: Vec<String> =
        seen.tags.iter().filter(|(_, name, _, _)| name == "label").filter_map(|(_, _, a, _)| attr(a, "for")).collect();
    for (kind, name, attrs, _) in &seen.tags {
        let control = matches!(name.as_str(), "input" | "select" | "textarea") && *kind == TagKind::StartTag;
        let kind_of_input = attr(attrs, "type").unwrap_or_default();
        if !control || ["hidden", "submit", "button"].contains(&kind_of_input.as_str()) {
            continue;
        }
        let named = attr(attrs, "aria-label").is_some() || attr(attrs, "id").is_some_and(|id| labelled.contains(&id));
        assert!(named, "<{name} {attrs:?}> has no label in {body}");
    }
}
