//! The architecture invariants of ARCHITECTURE.md that the source itself can show, checked
//! on the source: which modules may name what. Comments and string literals are left
//! out before looking, so only code counts. Each rule names the invariant it checks; the
//! checker's own tests below show that each rule catches what it forbids.

use std::path::{Path, PathBuf};

/// One source file: its path under `src/` and its code without comments or strings.
struct SourceFile {
    path: String,
    code: String,
}

fn source_files() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    collect_rust_files(&root, &mut paths);
    paths.sort();
    assert!(paths.len() > 50, "the source tree was found at {}", root.display());
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
            SourceFile { path: relative, code: code_only(&text) }
        })
        .collect()
}

fn collect_rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

/// The text with comments, string literals and character literals blanked out.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        if rest.starts_with(&['/', '/']) {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i..].starts_with(&['/', '*']) {
                    depth += 1;
                    i += 2;
                } else if chars[i..].starts_with(&['*', '/']) {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(rest) {
            i += 2 + hashes;
            let end: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            while i < chars.len() && !chars[i..].starts_with(&end) {
                i += 1;
            }
            i += end.len();
            out.push_str("\"\"");
        } else if chars[i] == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if chars[i] == '\'' && char_literal_length(rest).is_some() {
            i += char_literal_length(rest).unwrap();
            out.push_str("' '");
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `r"`, `r#"`, `br##"` …: the number of `#`s of a raw string starting here.
fn raw_string_start(rest: &[char]) -> Option<usize> {
    let rest = if rest.first() == Some(&'b') { &rest[1..] } else { rest };
    if rest.first() != Some(&'r') {
        return None;
    }
    let hashes = rest[1..].iter().take_while(|c| **c == '#').count();
    (rest.get(1 + hashes) == Some(&'"')).then_some(hashes)
}

/// `'a'`, `'\n'`, `'\''`, `'\u{1F600}'`: its length; `None` for a lifetime.
fn char_literal_length(rest: &[char]) -> Option<usize> {
    match rest {
        ['\'', '\\', 'u', '{', ..] => rest.iter().position(|c| *c == '}').map(|end| end + 2),
        ['\'', '\\', _, '\'', ..] => Some(4),
        ['\'', c, '\'', ..] if *c != '\\' => Some(3),
        _ => None,
    }
}

/// Whether `code` has the identifier `word` (not as part of a longer one).
fn names(code: &str, word: &str) -> bool {
    occurrences(code, word).next().is_some()
}

/// Where `word` stands as an identifier of its own in `code`.
fn occurrences<'a>(code: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).map(|(at, _)| at).filter(move |&at| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Whether `code` names the `Store` type (`Store`, `store::Store`), not an enum's
/// variant of that name (`HubRefusal::Store`).
fn names_the_store_type(code: &str) -> bool {
    occurrences(code, "Store").any(|at| {
        let Some(path) = code[..at].trim_end().strip_suffix("::") else { return true };
        let segment = path.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
        !segment.starts_with(char::is_uppercase)
    })
}

/// Whether `code` reaches a field called `store` (`state.store`, `self.store`), as
/// opposed to calling an atomic's `store(…)`.
fn reaches_a_store_field(code: &str) -> bool {
    occurrences(code, "store").any(|at| {
        let before = code[..at].trim_end();
        let after = code[at + "store".len()..].trim_start();
        before.ends_with('.') && !after.starts_with('(')
    })
}

fn is_edge(path: &str) -> bool {
    path.starts_with("http/") || path.starts_with("cli/") || path == "cli.rs"
}

/// What an edge (`http`, `cli`) uses that only `operations` may: the store, the
/// ingest pipeline, the fetcher, an assembler made by hand.
fn edge_violations(code: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if names_the_store_type(code) {
        found.push("names the Store");
    }
    if reaches_a_store_field(code) {
        found.push("reaches a store field");
    }
    if names(code, "Pipeline") {
        found.push("names ingest::Pipeline");
    }
    if names(code, "Fetcher") {
        found.push("names ingest::fetch::Fetcher");
    }
    if code.contains("Assembler {") {
        found.push("builds an Assembler");
    }
    found
}

/// The files, among `files`, for which `offends` holds and `allowed` does not.
fn offenders(
    files: &[SourceFile],
    offends: impl Fn(&SourceFile) -> bool,
    allowed: impl Fn(&str) -> bool,
) -> Vec<String> {
    files.iter().filter(|f| offends(f) && !allowed(&f.path)).map(|f| f.path.clone()).collect()
}

#[test]
fn http_and_cli_reach_the_store_only_through_operations() {
    let found: Vec<String> = source_files()
        .iter()
        .filter(|f| is_edge(&f.path))
        .flat_map(|f| edge_violations(&f.code).into_iter().map(move |v| format!("{}: {v}", f.path)))
        .collect();
    assert!(found.is_empty(), "http and cli call operations, never these: {found:#?}");
}

#[test]
fn only_the_layers_beneath_the_edges_hold_the_store() {
    // operations (the layer the edges call), and beneath it: catalog (catalogue
    // validation), ingest's Pipeline, poll scheduler, image keeper and WebSub
    // subscriber (articles, their images, sources' subscriptions), assemble (documents),
    // notify (its queues); app opens it; store is it.
    let beneath = |path: &str| {
        ["store/", "assemble/", "notify/", "catalog/"].iter().any(|dir| path.starts_with(dir))
            || [
                "store.rs",
                "operations.rs",
                "app.rs",
                "catalog.rs",
                "ingest/mod.rs",
                "ingest/poll.rs",
                "ingest/images.rs",
                "ingest/websub/mod.rs",
            ]
            .contains(&path)
    };
    let found = offenders(&source_files(), |f| names_the_store_type(&f.code), beneath);
    assert!(found.is_empty(), "these name the Store but are no layer that may: {found:?}");
}

/// Each function of `code` whose parameters include `actor: &Actor` (a write
/// operation), by name, with its body.
fn write_operations(code: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for at in occurrences(code, "fn") {
        let rest = &code[at + 2..];
        let (Some(open), Some(body)) = (rest.find('('), rest.find('{')) else { continue };
        if open > body || !rest[open..body].contains("actor: &Actor") {
            continue;
        }
        let name = rest[..open].trim().to_owned();
        let mut depth = 0;
        let end = rest[body..]
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '{' => 1,
                    '}' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(rest.len(), |(i, _)| body + i + 1);
        found.push((name, rest[body..end].to_owned()));
    }
    found
}

/// The write operations of `code` that neither hand their write an `Audit` nor say,
/// by logging it (`Operations::record`), that the audit log leaves them out.
fn unrecorded_operations(code: &str) -> Vec<String> {
    write_operations(code)
        .into_iter()
        .filter(|(_, body)| !body.contains("Audit::new(") && !body.contains("self.record("))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn every_change_an_edge_makes_is_recorded_in_its_own_transaction() {
    let files = source_files();
    let operations: Vec<&SourceFile> = files.iter().filter(|f| f.path.starts_with("operations/")).collect();
    let writes: usize = operations.iter().map(|f| write_operations(&f.code).len()).sum();
    assert!(writes >= 20, "the write operations were found ({writes})");
    let found: Vec<String> = operations
        .iter()
        .flat_map(|f| unrecorded_operations(&f.code).into_iter().map(move |name| format!("{}: {name}", f.path)))
        .collect();
    assert!(found.is_empty(), "every write operation hands its write an Audit, or logs what it leaves out: {found:?}");
}

#[test]
fn an_operation_that_records_nothing_is_caught() {
    let code = "impl Operations { pub async fn add(&self, actor: &Actor, form: Form) -> R { \
                if x { y } catalog::add(&self.store, form).await } \
                pub async fn edit(&self, actor: &Actor) -> R { catalog::edit(Audit::new(actor, A)).await } \
                pub async fn read(&self, id: i64) -> R { self.store.read(id).await } }";
    assert_eq!(write_operations(code).len(), 2);
    assert_eq!(unrecorded_operations(code), ["add"]);
}

#[test]
fn articles_are_written_only_through_the_pipeline() {
    let found = offenders(
        &source_files(),
        |f| names(&f.code, "upsert_articles") || names(&f.code, "upsert_article"),
        |path| path == "ingest/mod.rs" || path.starts_with("store/"),
    );
    assert!(found.is_empty(), "articles are stored through ingest::Pipeline only: {found:?}");
}

#[test]
fn only_http_knows_about_http() {
    let found = offenders(
        &source_files(),
        |f| names(&f.code, "axum") || names(&f.code, "hyper"),
        |path| path.starts_with("http/"),
    );
    assert!(found.is_empty(), "axum and hyper are http's alone: {found:?}");
}

#[test]
fn only_store_knows_sql() {
    let found = offenders(&source_files(), |f| names(&f.code, "sqlx"), |path| path.starts_with("store/"));
    assert!(found.is_empty(), "sqlx is store's alone: {found:?}");
}

#[test]
fn domain_knows_no_http_sql_xml_or_json() {
    let wire = ["axum", "hyper", "reqwest", "sqlx", "quick_xml", "serde_json"];
    let found = offenders(
        &source_files(),
        |f| f.path.starts_with("domain/") && wire.iter().any(|w| names(&f.code, w)),
        |_| false,
    );
    assert!(found.is_empty(), "domain converts nothing to or from a wire format: {found:?}");
}

#[test]
fn publish_never_reads_the_database() {
    let found = offenders(
        &source_files(),
        |f| f.path.starts_with("publish/") && (names_the_store_type(&f.code) || f.code.contains(".await")),
        |_| false,
    );
    assert!(found.is_empty(), "publish is data in, document out: {found:?}");
}

#[test]
fn nothing_makes_an_http_client_but_the_fetcher() {
    let found = offenders(
        &source_files(),
        |f| f.code.contains("Client::builder") || f.code.contains("Client::new"),
        |path| path == "ingest/fetch.rs",
    );
    assert!(found.is_empty(), "every outbound request goes through ingest::fetch::Fetcher: {found:?}");
}

#[test]
fn the_public_condition_is_defined_once_in_store_articles() {
    let defined: Vec<String> =
        source_files().iter().filter(|f| f.code.contains("const PUBLIC:")).map(|f| f.path.clone()).collect();
    assert_eq!(defined, ["store/articles.rs"]);
}

// The checker itself.

#[test]
fn comments_and_strings_are_not_code() {
    let code = code_only(
        "let a = \"Store sqlx\"; // state.store\n/* axum /* nested */ Store */ let b = r#\"x \"Store\"\"#; let c = '\"';\nlet d = Store;",
    );
    assert_eq!(code, "let a = \"\"; \n let b = \"\"; let c = ' ';\nlet d = Store;");
    assert!(names(&code_only("fn f<'a>(x: &'a Store) {}"), "Store"), "a lifetime is not a character literal");
}

#[test]
fn an_edge_calling_the_store_is_caught() {
    assert_eq!(edge_violations("let tree = state.store.column_tree().await?;"), ["reaches a store field"]);
    assert_eq!(
        edge_violations("let tree = state\n        .store\n        .column_tree().await?;"),
        ["reaches a store field"]
    );
    assert_eq!(edge_violations("fn open(store: &crate::store::Store) {}"), ["names the Store"]);
    assert_eq!(edge_violations("let p = Pipeline::new(s, c);"), ["names ingest::Pipeline"]);
    assert_eq!(edge_violations("let a = Assembler { store, site, config };"), ["builds an Assembler"]);
}

#[test]
fn what_edges_may_do_is_not_caught() {
    let allowed = "match e { HubRefusal::Store(error) => {} } flag.store(true, Relaxed); \
                   let t = state.operations.column_tree().await?; let e: StoreError = x;";
    assert!(edge_violations(allowed).is_empty());
}
