//! The extraction against the fixture sites of `tests/fixtures/sites/` (each a list
//! page, article pages and an `expected.json` naming every field), rules overriding
//! it field by field, and hostile input.

use super::*;
use crate::ingest::sanitize;
use std::path::{Path, PathBuf};

#[derive(serde::Deserialize)]
struct Site {
    origin: String,
    zone: String,
    encoding: String,
    list: Fixture,
    links: Vec<String>,
    articles: Vec<Article>,
}

#[derive(serde::Deserialize)]
struct Fixture {
    file: String,
    path: String,
}

#[derive(serde::Deserialize)]
struct Article {
    file: String,
    path: String,
    link: String,
    title: String,
    published: Option<String>,
    authors: Vec<String>,
    credit: Option<String>,
    summary: Option<String>,
    image: Option<String>,
    content_starts: String,
    content_ends: String,
    content_excludes: Vec<String>,
    hidden_removed: u32,
}

fn sites() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites");
    let mut sites: Vec<PathBuf> = std::fs::read_dir(&root).expect("fixture sites").map(|e| e.unwrap().path()).collect();
    sites.sort();
    sites
}

fn load(dir: &Path, file: &str, url: &str) -> Page {
    let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    decode_page(&bytes, Some("text/html"), Url::parse(url).unwrap())
}

/// Text without any whitespace, so that layout never decides a comparison.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every field of every fixture, compared; the wrong ones listed.
struct Score {
    right: usize,
    expected: usize,
    wrong: Vec<String>,
}

impl Score {
    fn check<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        self.expected += 1;
        match got == want {
            true => self.right += 1,
            false => self.wrong.push(format!("{what}: got {got:?}, expected {want:?}")),
        }
    }
}

fn score_site(dir: &Path, score: &mut Score) {
    let site: Site = serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let zone: Tz = site.zone.parse().unwrap();
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let list = load(dir, &site.list.file, &format!("{}{}", site.origin, site.list.path));
    score.check(&format!("{name} list encoding"), list.encoding, site.encoding.as_str());
    let links: Vec<String> = article_links(&list, &PageRules::default()).iter().map(Url::to_string).collect();
    let want: Vec<String> = site.links.iter().map(|l| format!("{}{l}", site.origin)).collect();
    score.check(&format!("{name} links"), links, want);
    for article in &site.articles {
        let at = format!("{name}/{}", article.file);
        let page = load(dir, &article.file, &format!("{}{}", site.origin, article.path));
        let extracted = match extract_article(&page, &PageRules::default(), zone) {
            Ok(extracted) => extracted,
            Err(error) => {
                score.expected += 8;
                score.wrong.push(format!("{at}: {error}"));
                continue;
            }
        };
        let entry = &extracted.entry;
        score.check(&format!("{at} link"), entry.link.clone(), Some(format!("{}{}", site.origin, article.link)));
        score.check(
            &format!("{at} title"),
            entry.title.as_ref().map(|t| t.value.as_str()),
            Some(article.title.as_str()),
        );
        score.check(
            &format!("{at} published"),
            entry.published.map(|p| p.to_rfc3339()),
            article.published.as_ref().map(|p| chrono::DateTime::parse_from_rfc3339(p).unwrap().to_utc().to_rfc3339()),
        );
        let authors: Vec<&str> = entry.authors.iter().filter_map(|a| a.name.as_deref()).collect();
        score.check(&format!("{at} authors"), authors, article.authors.iter().map(String::as_str).collect());
        score.check(&format!("{at} credit"), extracted.credit.as_deref(), article.credit.as_deref());
        score.check(
            &format!("{at} summary"),
            entry.summary.as_ref().map(|s| s.value.as_str()),
            article.summary.as_deref(),
        );
        let image = article.image.as_ref().map(|i| format!("{}{i}", site.origin));
        score.check(&format!("{at} image"), entry.image.clone(), image);
        // The content as the pipeline stores it: sanitised, hidden spam removed.
        let content = entry.content.as_ref().expect("content");
        assert!(content.html, "{at}: content is HTML");
        let base = Url::parse(entry.base.as_deref().unwrap()).unwrap();
        let (clean, hidden) = sanitize::html_counting_hidden(&content.value, &base);
        let text = squeezed(&sanitize::plain_text(&clean));
        let mut content_problems = Vec::new();
        if !text.starts_with(&squeezed(&article.content_starts)) {
            content_problems.push(format!("begins {:?}", text.chars().take(40).collect::<String>()));
        }
        if !text.ends_with(&squeezed(&article.content_ends)) {
            let tail: String = text.chars().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            content_problems.push(format!("ends {tail:?}"));
        }
        for excluded in &article.content_excludes {
            if text.contains(&squeezed(excluded)) {
                content_problems.push(format!("contains {excluded:?}"));
            }
        }
        if hidden < article.hidden_removed {
            content_problems.push(format!("{hidden} hidden elements removed, expected {}", article.hidden_removed));
        }
        score.check(&format!("{at} content"), content_problems, Vec::<String>::new());
    }
}

#[test]
fn fixture_sites_extract_every_field() {
    let mut score = Score { right: 0, expected: 0, wrong: Vec::new() };
    let sites = sites();
    assert!(sites.len() >= 5, "fixture sites: {sites:?}");
    for dir in &sites {
        score_site(dir, &mut score);
    }
    println!("extraction accuracy: {}/{} fields", score.right, score.expected);
    assert!(
        score.wrong.is_empty(),
        "{}/{} fields right; wrong:\n{}",
        score.right,
        score.expected,
        score.wrong.join("\n")
    );
}

fn shanghai() -> Tz {
    chrono_tz::Asia::Shanghai
}

fn page(html: &str) -> Page {
    Page {
        url: Url::parse("http://www.example.cn/a/2024/0605/1.html").unwrap(),
        html: html.to_owned(),
        encoding: "UTF-8",
    }
}

/// A page whose byline the automatic reading cannot take apart.
const ODD_BYLINE: &str = r#"<html><head><title>县里召开会议_某县网</title></head><body>
    <div class="top"><a href="/">首页</a></div>
    <h1>县里召开会议</h1>
    <div class="meta"><span class="t">05/06/2024 09h30</span> <span class="w">撰文人 张三</span> <span class="s">出自 县委宣传部</span></div>
    <div class="lead"><p>这是导语，不是正文，但它比较长，有逗号，有句号。这是导语，不是正文。</p></div>
    <div class="body"><p>6月5日，县里召开会议，研究部署近期重点工作，会议强调，要抓好各项任务落实。</p>
    <p>会议要求，各部门要加强协调配合，形成工作合力，确保各项工作取得实效。</p></div>
    </body></html>"#;

#[test]
fn rules_override_field_by_field() {
    let automatic = extract_article(&page(ODD_BYLINE), &PageRules::default(), shanghai()).unwrap();
    assert_eq!(automatic.entry.published, None);
    assert_eq!(automatic.problems, ["no publication time found on the page; the time it is first seen stands in"]);
    assert!(automatic.entry.authors.is_empty());
    let rules = PageRules {
        title: Some(".meta .s".into()),
        content: Some("div.lead".into()),
        published: Some(".meta .t".into()),
        date_format: Some("%d/%m/%Y %Hh%M".into()),
        author: Some(".meta .w".into()),
        source_line: Some("h1".into()),
        links: None,
    };
    rules.check().unwrap();
    let ruled = extract_article(&page(ODD_BYLINE), &rules, shanghai()).unwrap();
    let entry = &ruled.entry;
    assert_eq!(entry.title.as_ref().unwrap().value, "出自 县委宣传部");
    assert_eq!(entry.published.unwrap().to_rfc3339(), "2024-06-05T01:30:00+00:00");
    let authors: Vec<_> = entry.authors.iter().map(|a| a.name.clone().unwrap()).collect();
    assert_eq!(authors, ["撰文人", "张三"], "an author rule without a label takes the element's names");
    let content = &entry.content.as_ref().unwrap().value;
    assert!(content.contains("这是导语") && !content.contains("县里召开会议，研究部署"), "{content}");
    assert_eq!(ruled.credit, None, "a source line without 来源 gives none");
    assert!(ruled.problems.is_empty(), "{:?}", ruled.problems);
}

#[test]
fn a_rule_that_matches_nothing_is_reported_and_the_field_found_automatically() {
    let rules = PageRules {
        content: Some("#no-such".into()),
        published: Some(".meta .t".into()),
        date_format: Some("%Y-%m-%d".into()),
        ..PageRules::default()
    };
    let extracted = extract_article(&page(ODD_BYLINE), &rules, shanghai()).unwrap();
    let content = &extracted.entry.content.as_ref().unwrap().value;
    assert!(content.contains("县里召开会议，研究部署"), "{content}");
    assert_eq!(extracted.problems.len(), 3, "{:?}", extracted.problems);
    assert!(extracted.problems[0].starts_with("rules.content matched nothing"), "{:?}", extracted.problems);
    assert!(extracted.problems[1].starts_with("rules.published: '05/06/2024 09h30'"), "{:?}", extracted.problems);
}

#[test]
fn a_date_format_alone_reads_the_byline_near_the_title() {
    let rules = PageRules { date_format: Some("%d/%m/%Y %Hh%M".into()), ..PageRules::default() };
    let extracted = extract_article(&page(ODD_BYLINE), &rules, shanghai()).unwrap();
    assert_eq!(extracted.entry.published.unwrap().to_rfc3339(), "2024-06-05T01:30:00+00:00");
    assert!(extracted.problems.is_empty(), "{:?}", extracted.problems);
    let rules = PageRules { date_format: Some("%Y年%m月%d日".into()), ..PageRules::default() };
    let extracted = extract_article(&page(ODD_BYLINE), &rules, shanghai()).unwrap();
    assert_eq!(extracted.entry.published, None);
    assert_eq!(extracted.problems.len(), 2, "{:?}", extracted.problems);
    assert!(extracted.problems[0].starts_with("rules.date_format: no time written as"), "{:?}", extracted.problems);
}

#[test]
fn a_canonical_url_on_another_site_is_not_taken() {
    let html = ODD_BYLINE.replace("<head>", r#"<head><link rel="canonical" href="http://elsewhere.example/x.html">"#);
    let extracted = extract_article(&page(&html), &PageRules::default(), shanghai()).unwrap();
    assert_eq!(extracted.entry.link.as_deref(), Some("http://www.example.cn/a/2024/0605/1.html"));
    assert!(extracted.problems.iter().any(|p| p.contains("not on the page's site")), "{:?}", extracted.problems);
    let html = ODD_BYLINE.replace("<head>", r#"<head><link rel="canonical" href="https://m.example.cn/a/1.html">"#);
    let extracted = extract_article(&page(&html), &PageRules::default(), shanghai()).unwrap();
    assert_eq!(extracted.entry.link.as_deref(), Some("https://m.example.cn/a/1.html"));
    assert_eq!(extracted.entry.id, extracted.entry.link);
}

#[test]
fn pages_without_a_title_or_text_are_refused_in_words() {
    let error = extract_article(&page("<html><body><p>短</p></body></html>"), &PageRules::default(), shanghai());
    assert_eq!(error.unwrap_err(), ExtractError::NoTitle);
    let error = extract_article(
        &page("<title>标题在此</title><ul><li><a href=/a>链接</a></li></ul>"),
        &PageRules::default(),
        shanghai(),
    );
    assert_eq!(error.unwrap_err(), ExtractError::NoContent);
    assert!(ExtractError::NoContent.to_string().contains("rules.content"));
}

#[test]
fn hostile_pages_never_panic() {
    let nested = format!(
        "<title>深</title>{}<p>最深处的一段文字，有标点，也有内容，足够长了。</p>{}",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    let unclosed = format!("<title>未闭合</title>{}", "<p><b><i><a href='/x/1.html'>文字，".repeat(3_000));
    let tables = format!("<title>表格</title>{}", "<table><tr><td>格，".repeat(2_000));
    let junk =
        format!("<title>属性</title><div class=\"{}\"><p>{}</p></div>", "x".repeat(1_000_000), "内容，".repeat(100))
            .into_bytes();
    let attributes =
        format!("<title>属性</title><div class=\"{}\"><p>{}</p></div>", "x".repeat(1_000_000), "内容，".repeat(100));
    let many = format!(
        "<title>多_站</title><body>{}<p>一段足够长的正文，有逗号，有句号，还有更多的字。</p>{}</body>",
        "<div><style>.a{color:red}</style><h2 class=title>标题标题</h2><time datetime=2024-06-05>x</time>"
            .repeat(5_000),
        "</div>".repeat(5_000)
    );
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        many.into_bytes(),
        junk,
        nested.into_bytes(),
        unclosed.into_bytes(),
        tables.into_bytes(),
        attributes.into_bytes(),
        b"<html><head><meta charset=\"x-unknown\"><base href=\"javascript:alert(1)\"></head><body><a href=\"\0\">"
            .to_vec(),
        "<script type=application/ld+json>{\"author\":[[[[[[]]]]]],\"datePublished\":9}</script><title>t_t</title>"
            .into(),
        b"\xFF\xFE<\x00h\x00t\x00m\x00l\x00>\x00".to_vec(),
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let page = decode_page(bytes, Some("text/html; charset=bogus"), Url::parse("http://www.example.cn/").unwrap());
        let links = article_links(&page, &PageRules::default());
        assert!(links.len() <= MAX_LINKS, "input {i}");
        let _ = extract_article(&page, &PageRules::default(), shanghai());
    }
}

#[test]
fn a_megabyte_class_or_style_costs_nothing() {
    let html = format!(
        r#"<title>属性_站</title><div class="{0}" id="{0}" style="{1}"><p>{2}</p><a class="{0}" href="/a/1.html">链接</a></div>"#,
        "x".repeat(1_000_000),
        "color:red;".repeat(100_000),
        "内容，".repeat(100)
    );
    let started = std::time::Instant::now();
    let extracted = extract_article(&page(&html), &PageRules::default(), shanghai());
    let _ = article_links(&page(&html), &PageRules::default());
    assert!(extracted.is_ok());
    // Milliseconds, against a second or more when every class was read whole.
    assert!(started.elapsed() < std::time::Duration::from_millis(500), "{:?}", started.elapsed());
}

#[test]
fn deep_nesting_still_finds_the_text() {
    let html = format!(
        "<title>深_站</title>{}<p>最深处的一段文字，有标点，也有内容，足够长了。</p>{}",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    let extracted = extract_article(&page(&html), &PageRules::default(), shanghai()).unwrap();
    assert!(extracted.entry.content.unwrap().value.contains("最深处的一段文字"));
}

/// A 200 KB article page: long text, a big sidebar, many links. Printed, and bounded
/// loosely here (an unoptimised test build on a shared machine); a release build
/// takes a few milliseconds.
#[test]
fn a_large_page_extracts_quickly() {
    let paragraph =
        "<p>全州上下正奋力驶向更加令人向往的美好未来，各级党组织充分发挥战斗堡垒作用，带领群众增收致富。</p>\n";
    let sidebar = "<li><a href=\"/html/2024/06/05/12345.html\">州委召开常委会议研究部署近期重点工作</a></li>\n";
    let mut html = String::from("<html><head><title>大页面_测试站</title></head><body><ul class=\"nav\">");
    html.push_str(&sidebar.repeat(900));
    html.push_str("</ul><h1>大页面</h1><div class=\"info\">2024-06-05 09:30 来源：测试站</div><div id=\"zoom\">");
    html.push_str(&paragraph.repeat(800));
    html.push_str("</div></body></html>");
    assert!(html.len() > 200_000, "{}", html.len());
    let started = std::time::Instant::now();
    let extracted = extract_article(&page(&html), &PageRules::default(), shanghai()).unwrap();
    let elapsed = started.elapsed();
    println!("200 KB page extracted in {elapsed:?}");
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(extracted.credit.as_deref(), Some("测试站"));
    assert!(extracted.entry.content.unwrap().value.matches("<p>").count() == 800);
}

#[test]
fn lazily_loaded_images_get_their_real_address_and_a_byline_above_the_title_counts() {
    let html = r#"<title>标题在此_某站</title><div class="info">2018-06-28 11:39:20 来源:昌吉日报</div><h1>标题在此</h1>
        <div id="zoom"><p>这是正文的第一段，有足够的文字，也有标点，句子完整。</p>
        <p><img src="/images/loading.gif" data-original="/uploadfile/2018/0628/a.jpg"><img src="/b.jpg" data-src="/c.jpg"></p>
        <p>这是正文的第二段，同样有足够的文字，也有标点，句子完整。</p></div>"#;
    let extracted = extract_article(&page(html), &PageRules::default(), shanghai()).unwrap();
    let content = extracted.entry.content.unwrap().value;
    assert!(content.contains(r#"<img src="/uploadfile/2018/0628/a.jpg" data-original="#), "{content}");
    assert!(
        content.contains(r#"src="/b.jpg""#) && !content.contains(r#" src="/c.jpg""#),
        "a real src stays: {content}"
    );
    assert_eq!(extracted.entry.published.unwrap().to_rfc3339(), "2018-06-28T03:39:20+00:00");
    assert_eq!(extracted.credit.as_deref(), Some("昌吉日报"));
}
