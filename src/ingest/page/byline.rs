//! The line of text near an article's title that carries its time, 来源 and author, as
//! Chinese CMS templates write it: `2018-06-28 11:39:20  来源:昌吉日报  作者:郑丽媛`,
//! `发布时间：2024年06月05日 09:30`, `来源：新华社`, `记者 张三 李四`, `文/王五`, `By Jane Doe`.
//! Labels may have full-width colons and spaces, or none; a value ends at the next
//! label, a date, a run of spaces or a bracket. `编辑` (the desk editor) is not the author.

/// What one line says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Byline {
    /// The date as written (`2018-06-28 11:39:20`), for `feed::dates`.
    pub date: Option<String>,
    pub credit: Option<String>,
    pub authors: Vec<String>,
}

/// Longest line read as a byline: a paragraph of the article is not one.
pub const MAX_BYLINE_CHARS: usize = 200;
/// Longest value of a label.
const MAX_VALUE_CHARS: usize = 40;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Time,
    Credit,
    Author,
    /// Labels whose values are not wanted but end the one before them.
    Other,
}

/// Labels, longest first where one begins another.
const LABELS: &[(&str, Label)] = &[
    ("发布时间", Label::Time),
    ("发表时间", Label::Time),
    ("发布日期", Label::Time),
    ("更新时间", Label::Other),
    ("时间", Label::Time),
    ("日期", Label::Time),
    ("文章来源", Label::Credit),
    ("信息来源", Label::Credit),
    ("新闻来源", Label::Credit),
    ("来源", Label::Credit),
    ("稿源", Label::Credit),
    ("出处", Label::Credit),
    ("source:", Label::Credit),
    ("作者", Label::Author),
    ("本报记者", Label::Author),
    ("记者", Label::Author),
    ("通讯员", Label::Author),
    ("撰稿", Label::Author),
    ("文/", Label::Author),
    ("文:", Label::Author),
    ("by ", Label::Author),
    ("责任编辑", Label::Other),
    ("责编", Label::Other),
    ("编辑", Label::Other),
    ("审核", Label::Other),
    ("校对", Label::Other),
    ("摄影", Label::Other),
    ("点击", Label::Other),
    ("评论", Label::Other),
    ("浏览", Label::Other),
    ("阅读", Label::Other),
    ("字号", Label::Other),
    ("字体", Label::Other),
    ("分享", Label::Other),
    ("打印", Label::Other),
    ("updated", Label::Other),
];

/// The first characters of the labels: most of a line is passed over on them alone.
static LABEL_STARTS: std::sync::LazyLock<Vec<char>> = std::sync::LazyLock::new(|| {
    let mut starts: Vec<char> = LABELS.iter().filter_map(|(word, _)| word.chars().next()).collect();
    starts.sort_unstable();
    starts.dedup();
    starts
});

/// Characters that end a value.
fn ends_value(c: char) -> bool {
    matches!(c, '|' | '丨' | '│' | '【' | '[' | '(' | '（' | ')' | '）' | '】' | ']' | '<' | '>' | '\n' | '·')
}

/// Reads a line; `None` when it carries none of the three.
pub fn read(line: &str) -> Option<Byline> {
    if line.chars().count() > MAX_BYLINE_CHARS {
        return None;
    }
    let text = normalise(line);
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<(usize, usize, Label)> = Vec::new();
    let mut at = 0;
    while at < lower.len() {
        let rest = &lower[at..];
        let first = rest.chars().next().unwrap_or_default();
        let label = match LABEL_STARTS.binary_search(&first) {
            Ok(_) => LABELS.iter().find(|(word, _)| rest.starts_with(word) && starts_word(&lower, at, word)),
            Err(_) => None,
        };
        match label {
            Some((word, label)) => {
                found.push((at, at + word.len(), *label));
                at += word.len();
            }
            None => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    let date = find_date(&text);
    let mut byline = Byline { date: date.map(|(s, e)| text[s..e].to_owned()), ..Byline::default() };
    for (i, &(_, end, label)) in found.iter().enumerate() {
        let next = found.get(i + 1).map_or(text.len(), |n| n.0);
        let mut value = &text[end..next];
        if let Some((s, _)) = date.filter(|(s, _)| *s >= end && *s < next) {
            value = &text[end..s];
        }
        let value = value.trim_start_matches([':', ' ', '/']);
        let value = value.split("  ").next().unwrap_or_default();
        let value =
            value.split(ends_value).next().unwrap_or_default().trim().trim_end_matches([',', '，', '。', ';', '；']);
        if value.is_empty() || value.chars().count() > MAX_VALUE_CHARS {
            continue;
        }
        match label {
            Label::Credit if byline.credit.is_none() => byline.credit = Some(value.to_owned()),
            Label::Author if byline.authors.is_empty() => byline.authors = names(value),
            _ => {}
        }
    }
    (byline.date.is_some() || byline.credit.is_some() || !byline.authors.is_empty()).then_some(byline)
}

/// `(记者 郑丽媛)` at the start of an article's first paragraph: its reporters (a
/// correspondent named after them, `通讯员 周敏`, is not one).
pub fn lead_reporters(paragraph: &str) -> Vec<String> {
    let text = normalise(paragraph);
    let head: String = text.chars().take(60).collect();
    let Some(open) = head.find(['(', '（']) else { return Vec::new() };
    let inside = &head[open..];
    let inside = &inside[inside.chars().next().map_or(1, char::len_utf8)..];
    let Some(close) = inside.find([')', '）']) else { return Vec::new() };
    let inside = inside[..close].trim();
    if !inside.starts_with("记者") && !inside.starts_with("本报记者") {
        return Vec::new();
    }
    read(inside).map(|b| b.authors).unwrap_or_default()
}

/// Full-width colons, spaces and slashes made ASCII.
fn normalise(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '：' => ':',
            '\u{3000}' | '\u{a0}' | '\t' => ' ',
            '／' => '/',
            c => c,
        })
        .collect()
}

/// An ASCII label (`by `, `source:`) only as a word of its own.
fn starts_word(lower: &str, at: usize, word: &str) -> bool {
    !word.is_ascii() || lower[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Names in a value: `张三 李四`, `张三、李四`, `Jane Doe and John Roe`.
pub fn names(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in value.split(['、', ',', '，', ';', '；', '/']).flat_map(|p| p.split(" and ")) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if part.chars().any(|c| c.is_ascii_alphabetic()) {
            names.push(part.to_owned());
        } else {
            names.extend(part.split_whitespace().map(str::to_owned));
        }
    }
    names.truncate(16);
    names
}

/// The first date in a text (`2018-06-28 11:39:20`, `2024年06月05日 09:30`,
/// `2024/6/5`, `2024.06.05`), as byte offsets.
pub fn find_date(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at + 4 <= bytes.len() {
        if (at == 0 || !bytes[at - 1].is_ascii_digit()) && bytes[at..at + 4].iter().all(u8::is_ascii_digit) {
            if let Some(end) = date_from(text, at) {
                return Some((at, end));
            }
        }
        at += 1;
    }
    None
}

/// The end of a date starting with the year at `start`.
fn date_from(text: &str, start: usize) -> Option<usize> {
    let year: u32 = text[start..start + 4].parse().ok()?;
    if !(1990..=2100).contains(&year) {
        return None;
    }
    let mut rest = &text[start + 4..];
    let separator = ["-", "/", ".", "年"].into_iter().find(|s| rest.starts_with(s))?;
    rest = &rest[separator.len()..];
    let month = digits(rest, 2)?;
    rest = &rest[month..];
    let separator = ["-", "/", ".", "月"].into_iter().find(|s| rest.starts_with(s))?;
    rest = &rest[separator.len()..];
    let day = digits(rest, 2)?;
    rest = &rest[day..];
    rest = rest.strip_prefix("日").unwrap_or(rest);
    let date_end = text.len() - rest.len();
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    let clock = &rest[spaces..];
    let Some(hours) = digits(clock, 2) else { return Some(date_end) };
    let Some(after) = clock[hours..].strip_prefix(':') else { return Some(date_end) };
    let Some(minutes) = digits(after, 2).filter(|m| *m == 2) else { return Some(date_end) };
    let mut end = date_end + spaces + hours + 1 + minutes;
    if let Some(seconds) = text[end..].strip_prefix(':').and_then(|s| digits(s, 2)).filter(|s| *s == 2) {
        end += 1 + seconds;
    }
    Some(end)
}

/// How many ASCII digits (1 to `max`) begin `s`.
fn digits(s: &str, max: usize) -> Option<usize> {
    let n = s.bytes().take(max + 1).take_while(u8::is_ascii_digit).count();
    (1..=max).contains(&n).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Byline {
        read(text).unwrap_or_else(|| panic!("no byline in {text}"))
    }

    #[test]
    fn the_seed_line() {
        let b = line("2018-06-28 11:39:20  来源:昌吉日报  作者:郑丽媛");
        assert_eq!(b.date.as_deref(), Some("2018-06-28 11:39:20"));
        assert_eq!(b.credit.as_deref(), Some("昌吉日报"));
        assert_eq!(b.authors, ["郑丽媛"]);
    }

    #[test]
    fn labels_full_width_and_without_spaces() {
        let b = line("发布时间：2024年06月05日 09:30　来源：新华社　记者 张三 李四　编辑：王五");
        assert_eq!(b.date.as_deref(), Some("2024年06月05日 09:30"));
        assert_eq!(b.credit.as_deref(), Some("新华社"));
        assert_eq!(b.authors, ["张三", "李四"]);
        let b = line("来源:天山网2024-06-05作者:阿依古丽");
        assert_eq!((b.credit.as_deref(), b.date.as_deref()), (Some("天山网"), Some("2024-06-05")));
        assert_eq!(b.authors, ["阿依古丽"]);
        let b = line("[ 2024/6/5 ] 文/王五 | 点击：325");
        assert_eq!((b.date.as_deref(), b.authors.as_slice()), (Some("2024/6/5"), &["王五".to_owned()][..]));
    }

    #[test]
    fn the_editor_is_not_the_author_and_prose_is_not_a_byline() {
        let b = line("2024-06-05 责任编辑：王五");
        assert!(b.authors.is_empty() && b.credit.is_none());
        assert_eq!(read(&"今天天气很好，".repeat(40)), None);
        assert_eq!(read("首页 > 新闻中心 > 本地新闻"), None);
    }

    #[test]
    fn english_bylines_and_lead_reporters() {
        let b = line("By Jane Doe and John Roe | June 5, 2024");
        assert_eq!(b.authors, ["Jane Doe", "John Roe"]);
        assert_eq!(lead_reporters("昌吉新闻网讯(记者 郑丽媛)六月清晨的木垒县"), ["郑丽媛"]);
        assert_eq!(lead_reporters("本报讯（记者　张三　李四）近日"), ["张三", "李四"]);
        assert_eq!(lead_reporters("本报讯（记者 杨帆 通讯员 周敏）6月3日晚"), ["杨帆"]);
        assert!(lead_reporters("六月清晨(多云)").is_empty());
    }
}
