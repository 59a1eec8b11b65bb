//! Whether a page's meta description summarises this article. CMS templates often
//! fill it with the site's own description on every page, and injected spam rewrites
//! it (`bet365中文 博格达网` on the seed page); neither is the article's summary. A
//! description is taken when enough of its word pairs (each Chinese character a word,
//! Latin words lower-cased) occur in the article's title and text.

use std::collections::HashSet;

/// Share of the description's word pairs that must occur in the article.
const MIN_SHARED: f64 = 0.5;
/// Characters of the article read for the comparison.
const MAX_ARTICLE_CHARS: usize = 20_000;

pub fn is_about(description: &str, title: &str, text: &str) -> bool {
    let article: String = format!("{title}\n{text}").chars().take(MAX_ARTICLE_CHARS).collect();
    let known: HashSet<(String, String)> = pairs(&article).collect();
    let wanted: Vec<(String, String)> = pairs(description).collect();
    if wanted.is_empty() {
        return false;
    }
    let shared = wanted.iter().filter(|pair| known.contains(*pair)).count();
    shared as f64 / wanted.len() as f64 >= MIN_SHARED
}

/// Consecutive words of a text.
fn pairs(text: &str) -> impl Iterator<Item = (String, String)> {
    let words = words(text);
    let next: Vec<String> = words.iter().skip(1).cloned().collect();
    words.into_iter().zip(next)
}

fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut latin = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            latin.push(c.to_ascii_lowercase());
            continue;
        }
        if !latin.is_empty() {
            words.push(std::mem::take(&mut latin));
        }
        if c.is_alphanumeric() {
            words.push(c.to_string());
        }
    }
    if !latin.is_empty() {
        words.push(latin);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_of_the_article_is_one_and_a_site_description_is_not() {
        let text = "眼下，木垒县40余万亩冬小麦陆续进入收获期，田间地头处处是繁忙景象。";
        assert!(is_about("木垒县40余万亩冬小麦陆续进入收获期", "麦浪翻滚迎丰收", text));
        assert!(!is_about("bet365中文 博格达网", "麦浪翻滚迎丰收", text));
        assert!(!is_about("昌吉新闻网是昌吉回族自治州重点新闻网站", "麦浪翻滚迎丰收", text));
        assert!(is_about(
            "Residents returned to muddy streets.",
            "Flood",
            "Residents of Millbrook returned to muddy streets on Wednesday"
        ));
    }
}
