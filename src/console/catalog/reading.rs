//! How a source's pages are read, in the source forms: its kind (a feed or a list page),
//! full text, the extraction rules (each refused rule beside its input, named as the API
//! names it: `rules.links`…); and the preview of what a source would bring, shown under
//! the form it was asked from. Its own labels, zh/en.

use crate::console::form::{Form, Kind, Values};
use crate::console::labels::Labels;
use crate::domain::source::Source;
use crate::ingest::page::PageRules;
use crate::ingest::preview::Preview;
use maud::{html, Markup};

/// The rules' form inputs: (the rule's name, as the API and the inputs name it).
pub const RULES: [&str; 7] = ["links", "title", "content", "published", "author", "source_line", "date_format"];

pub struct ReadingLabels {
    pub kind: &'static str,
    pub kind_feed: &'static str,
    pub kind_html: &'static str,
    pub kind_hint: &'static str,
    pub full_text: &'static str,
    pub full_text_hint: &'static str,
    pub rules: &'static str,
    pub rules_hint: &'static str,
    /// One label per rule, in the order of `RULES`.
    pub rule_names: [&'static str; 7],
    pub preview: &'static str,
    pub preview_heading: &'static str,
    /// "{found} found at {url}; {read} read": the parts around the numbers.
    pub found: &'static str,
    pub read: &'static str,
    pub no_title: &'static str,
    pub published: &'static str,
    pub author: &'static str,
    pub credit: &'static str,
    pub original_url: &'static str,
    pub summary: &'static str,
    pub content: &'static str,
    pub hidden_removed: &'static str,
    pub problems: &'static str,
    pub warnings: &'static str,
    pub failed: &'static str,
}

const ZH: ReadingLabels = ReadingLabels {
    kind: "类型",
    kind_feed: "订阅源（RSS、Atom、JSON Feed）",
    kind_html: "网页列表页（无订阅源的网站）",
    kind_hint: "网页列表页：抓取其中链接的文章页，自动或按下面的规则提取。添加后不能更改。",
    full_text: "抓取全文",
    full_text_hint: "订阅源只有摘要时：抓取每条新条目的网页提取正文，订阅源的摘要保留为摘要。",
    rules: "提取规则",
    rules_hint: "CSS 选择器；留空的项自动识别。只用于网页列表页和抓取全文的订阅源。",
    rule_names: [
        "列表页文章链接",
        "标题",
        "正文",
        "发布时间",
        "作者",
        "来源行（时间、来源、作者所在的一行）",
        "日期格式（如 %Y-%m-%d %H:%M）",
    ],
    preview: "预览",
    preview_heading: "预览：将抓取的内容（未保存）",
    found: "找到",
    read: "篇，已读取",
    no_title: "（无标题）",
    published: "发布时间",
    author: "作者",
    credit: "稿源",
    original_url: "原文地址",
    summary: "摘要",
    content: "正文",
    hidden_removed: "已移除的隐藏元素",
    problems: "问题",
    warnings: "警告",
    failed: "无法预览",
};

const EN: ReadingLabels = ReadingLabels {
    kind: "Kind",
    kind_feed: "Feed (RSS, Atom, JSON Feed)",
    kind_html: "List page (a site without a feed)",
    kind_hint: "List page: the article pages it links to are fetched and read, automatically or by the rules below. It cannot be changed once added.",
    full_text: "Full text",
    full_text_hint: "For a feed carrying only summaries: each new item's page is fetched for its content; the feed's summary stays the summary.",
    rules: "Extraction rules",
    rules_hint: "CSS selectors; what is left empty is found automatically. For list pages and full-text feeds only.",
    rule_names: [
        "Article links on the list page",
        "Title",
        "Content",
        "Publication time",
        "Author",
        "Source line (the line with time, source and author)",
        "Date format (such as %Y-%m-%d %H:%M)",
    ],
    preview: "Preview",
    preview_heading: "Preview: what it would bring (nothing stored)",
    found: "Found",
    read: "; read",
    no_title: "(no title)",
    published: "Published",
    author: "Author",
    credit: "Via",
    original_url: "Original URL",
    summary: "Summary",
    content: "Content",
    hidden_removed: "Hidden elements removed",
    problems: "Problems",
    warnings: "Warnings",
    failed: "Cannot preview",
};

impl ReadingLabels {
    pub fn of(labels: &Labels) -> &'static ReadingLabels {
        if labels.lang.starts_with("zh") {
            &ZH
        } else {
            &EN
        }
    }
}

/// The reading fields: the kind (`with_kind`: only when adding), full text and the rules.
pub fn reading_fields(labels: &Labels, form: &Form<'_>, with_kind: bool) -> Markup {
    let l = ReadingLabels::of(labels);
    let kinds = [("feed".to_owned(), l.kind_feed.to_owned()), ("html".to_owned(), l.kind_html.to_owned())];
    html! {
        @if with_kind {
            (form.select("kind", l.kind, &kinds))
            p.hint { (l.kind_hint) }
        }
        (form.checkbox("full_text", l.full_text, Some(l.full_text_hint)))
        fieldset.rules {
            legend { (l.rules) }
            p.hint { (l.rules_hint) }
            (form.reason("rules"))
            @for (name, label) in RULES.iter().zip(l.rule_names) {
                (form.input(&format!("rules.{name}"), label, Kind::Text, false, None))
            }
        }
    }
}

/// The rules a form gives (`None`: none written), or why they cannot be read.
pub fn posted_rules(values: &Values) -> Result<Option<PageRules>, (String, String)> {
    let mut rules = serde_json::Map::new();
    for name in RULES {
        if let Some(value) = values.optional(&format!("rules.{name}")) {
            rules.insert(name.to_owned(), serde_json::Value::String(value));
        }
    }
    if rules.is_empty() {
        return Ok(None);
    }
    serde_json::from_value(serde_json::Value::Object(rules)).map(Some).map_err(|e| ("rules".to_owned(), e.to_string()))
}

/// A source's reading as its edit form shows it.
pub fn reading_values(values: &mut Values, source: &Source) {
    values.set("kind", source.kind.as_str());
    if source.full_text {
        values.set("full_text", "on");
    }
    let rules = source.rules.as_deref().and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok());
    for name in RULES {
        if let Some(value) = rules.as_ref().and_then(|r| r[name].as_str()) {
            values.set(&format!("rules.{name}"), value);
        }
    }
}

/// What a preview found, or why there is none.
pub fn preview_section(labels: &Labels, preview: &Result<Preview, String>) -> Markup {
    let l = ReadingLabels::of(labels);
    html! {
        section.card #preview aria-labelledby="preview-heading" {
            h2 #preview-heading { (l.preview_heading) }
            @match preview {
                Err(reason) => p.error role="alert" { (l.failed) ": " (reason) },
                Ok(preview) => {
                    p { (l.found) " " (preview.found) " — " span.url { (preview.url) } " " (l.read) " " (preview.items.len()) }
                    @if !preview.warnings.is_empty() {
                        h3 { (l.warnings) }
                        ul { @for warning in &preview.warnings { li { (warning) } } }
                    }
                    @for item in &preview.items {
                        article.preview-item {
                            h3 { (item.title.as_deref().unwrap_or(l.no_title)) }
                            dl.facts {
                                dt { "URL" } dd.url { (item.link) }
                                @if let Some(url) = item.original_url.as_ref().filter(|u| **u != item.link) {
                                    dt { (l.original_url) } dd.url { (url) }
                                }
                                @if let Some(at) = item.published { dt { (l.published) } dd { (crate::publish::rfc3339(at)) } }
                                @if let Some(author) = &item.author { dt { (l.author) } dd { (author) } }
                                @if let Some(credit) = &item.credit { dt { (l.credit) } dd { (credit) } }
                                @if item.hidden_removed > 0 { dt { (l.hidden_removed) } dd { (item.hidden_removed) } }
                                @if let Some(summary) = &item.summary { dt { (l.summary) } dd { (crate::ingest::sanitize::plain_text(summary)) } }
                                @if let Some(content) = &item.content { dt { (l.content) } dd.preview-content { (crate::ingest::sanitize::plain_text(content)) } }
                            }
                            @if !item.problems.is_empty() {
                                p { (l.problems) ":" }
                                ul { @for problem in &item.problems { li.bad { (problem) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}
