//! A browser for console stories: one client that follows no redirects, with its own
//! cookie jar, signing in through the login form as a person does; and the check every
//! console page passes (it parses, sets `lang`, labels every input).

use crate::helpers::TestApp;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

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
    base: String,
    jar: Mutex<BTreeMap<String, String>>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser::at(&app.url(""))
    }

    pub fn at(base: &str) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: base.to_owned(), jar: Mutex::default() }
    }

    /// Another browser (its own cookie jar) at the same address, sending these headers
    /// with every request.
    pub fn with_headers(&self, headers: HeaderMap) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Browser { client, base: self.base.clone(), jar: Mutex::default() }
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

/// What a page's tags say: parse errors, the `lang` of `html`, ids (repeated ones
/// too), the ids labels name, and the ids of the inputs a person fills in.
#[derive(Default)]
struct Outline {
    errors: Vec<String>,
    lang: Option<String>,
    ids: Vec<String>,
    labelled: BTreeSet<String>,
    inputs: Vec<String>,
}

#[derive(Default)]
struct Reader(RefCell<Outline>);

impl TokenSink for Reader {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let mut outline = self.0.borrow_mut();
        match token {
            Token::ParseError(error) => outline.errors.push(format!("line {line}: {error}")),
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                let attr = |name: &str| tag.attrs.iter().find(|a| &*a.name.local == name).map(|a| a.value.to_string());
                let name = &*tag.name;
                if name == "html" {
                    outline.lang = attr("lang");
                }
                if let Some(id) = attr("id") {
                    outline.ids.push(id);
                }
                if name == "label" {
                    outline.labelled.extend(attr("for"));
                }
                let filled = match name {
                    "select" | "textarea" => true,
                    "input" => !matches!(attr("type").as_deref(), Some("hidden" | "submit" | "button")),
                    _ => false,
                };
                if filled {
                    outline
                        .inputs
                        .push(attr("id").unwrap_or_else(|| format!("<{name} name={:?}> without an id", attr("name"))));
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Asserts that a console page parses without an error, sets `lang`, has no id twice,
/// and labels every input, select and text area (a `label for` its id).
pub fn assert_accessible_page(body: &str) {
    let tokenizer = Tokenizer::new(Reader::default(), TokenizerOpts { exact_errors: true, ..TokenizerOpts::default() });
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(body));
    let _ = tokenizer.feed(&queue);
    tokenizer.end();
    let outline = tokenizer.sink.0.take();
    assert!(outline.errors.is_empty(), "parse errors {:?} in {body}", outline.errors);
    assert!(outline.lang.is_some_and(|lang| !lang.is_empty()), "lang set: {body}");
    let mut seen = BTreeSet::new();
    for id in &outline.ids {
        assert!(seen.insert(id), "id {id} twice in {body}");
    }
    for input in &outline.inputs {
        assert!(outline.labelled.contains(input), "no label for {input} in {body}");
    }
}
