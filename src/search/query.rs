//! What a person types into a search box, read the way they expect: several words
//! must all match, `"a quoted phrase"` (or “one in Chinese quotes”) matches as written,
//! `-word` or `-"phrase"` excludes, and `OR` between two words accepts either. Nothing
//! else is syntax, so no query a person types is an error but the few named by
//! `QueryError`.

/// The longest query read, in characters: a search box, not a document.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words and phrases a query may hold.
pub const MAX_QUERY_PARTS: usize = 24;

/// One thing to look for: a word (written without spaces) or a quoted phrase. Each
/// matches its terms in sequence (`analyzer::Mode::Exact`), so `state-owned` and
/// `带领群众` are as exact as a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Word(String),
    Phrase(String),
}

impl Part {
    pub fn text(&self) -> &str {
        match self {
            Part::Word(text) | Part::Phrase(text) => text,
        }
    }
}

/// A parsed query: every group must match (a group matches when any of its parts
/// does), and no excluded part may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub all_of: Vec<Vec<Part>>,
    pub none_of: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("is empty: give a word or a \"quoted phrase\" to search for")]
    Empty,
    #[error("is longer than {MAX_QUERY_CHARS} characters")]
    TooLong,
    #[error("has more than {MAX_QUERY_PARTS} words and phrases")]
    TooManyParts,
    #[error("has a quote that is not closed")]
    UnclosedQuote,
    #[error("has an OR without a word or phrase on each side")]
    LoneOr,
    #[error("only excludes: give a word or a \"quoted phrase\" to search for too")]
    OnlyExclusions,
}

/// One item of a query as typed.
#[derive(Debug, PartialEq)]
enum Item {
    Part { part: Part, excluded: bool },
    Or,
}

const OPENING_QUOTES: [char; 2] = ['"', '“'];
const CLOSING_QUOTES: [char; 2] = ['"', '”'];

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

impl SearchQuery {
    pub fn parse(text: &str) -> Result<SearchQuery, QueryError> {
        if text.chars().nth(MAX_QUERY_CHARS).is_some() {
            return Err(QueryError::TooLong);
        }
        let items = items(text)?;
        if items.iter().filter(|item| matches!(item, Item::Part { .. })).count() > MAX_QUERY_PARTS {
            return Err(QueryError::TooManyParts);
        }
        let mut query = SearchQuery { all_of: Vec::new(), none_of: Vec::new() };
        let mut joining = false;
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Or => {
                    let before = i.checked_sub(1).and_then(|b| items.get(b));
                    let sides = [before, items.get(i + 1)];
                    if !sides.iter().all(|side| matches!(side, Some(Item::Part { excluded: false, .. }))) {
                        return Err(QueryError::LoneOr);
                    }
                    joining = true;
                }
                Item::Part { part, excluded: true } => query.none_of.push(part.clone()),
                Item::Part { part, excluded: false } => match query.all_of.last_mut() {
                    Some(group) if joining => group.push(part.clone()),
                    _ => query.all_of.push(vec![part.clone()]),
                },
            }
            if !matches!(item, Item::Or) {
                joining = false;
            }
        }
        match (query.all_of.is_empty(), query.none_of.is_empty()) {
            (true, true) => Err(QueryError::Empty),
            (true, false) => Err(QueryError::OnlyExclusions),
            _ => Ok(query),
        }
    }
}

fn items(text: &str) -> Result<Vec<Item>, QueryError> {
    let mut items = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|&c| is_space(c)).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let excluded = first == '-' && {
            chars.next();
            chars.peek().is_some_and(|&c| !is_space(c))
        };
        if (excluded || first != '-') && chars.next_if(|c| OPENING_QUOTES.contains(c)).is_some() {
            let mut phrase = String::new();
            loop {
                match chars.next() {
                    None => return Err(QueryError::UnclosedQuote),
                    Some(c) if CLOSING_QUOTES.contains(&c) => break,
                    Some(c) => phrase.push(c),
                }
            }
            items.push(Item::Part { part: Part::Phrase(phrase.trim().to_owned()), excluded });
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next_if(|&c| !is_space(c) && !OPENING_QUOTES.contains(&c)) {
            word.push(c);
        }
        match word.as_str() {
            "" => {}
            "OR" if !excluded => items.push(Item::Or),
            _ => items.push(Item::Part { part: Part::Word(word), excluded }),
        }
    }
    items.retain(|item| !matches!(item, Item::Part { part, .. } if part.text().is_empty()));
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Part {
        Part::Word(w.into())
    }

    #[test]
    fn words_must_all_match() {
        let query = SearchQuery::parse("头雁  党建\u{3000}village").unwrap();
        assert_eq!(query.all_of, [vec![word("头雁")], vec![word("党建")], vec![word("village")]]);
        assert!(query.none_of.is_empty());
    }

    #[test]
    fn quotes_make_phrases_in_either_script() {
        let query = SearchQuery::parse("\"happy life\" “幸福 生活” -\"old news\"").unwrap();
        assert_eq!(query.all_of, [vec![Part::Phrase("happy life".into())], vec![Part::Phrase("幸福 生活".into())]]);
        assert_eq!(query.none_of, [Part::Phrase("old news".into())]);
    }

    #[test]
    fn or_joins_its_neighbours_and_minus_excludes() {
        let query = SearchQuery::parse("党建 头雁 OR 乡村 OR village -广告 a-b").unwrap();
        assert_eq!(
            query.all_of,
            [vec![word("党建")], vec![word("头雁"), word("乡村"), word("village")], vec![word("a-b")]]
        );
        assert_eq!(query.none_of, [word("广告")]);
        assert_eq!(SearchQuery::parse("or Or").unwrap().all_of, [vec![word("or")], vec![word("Or")]]);
    }

    #[test]
    fn what_cannot_be_read_is_refused_with_its_reason() {
        for (text, error) in [
            ("", QueryError::Empty),
            ("  - \"\" ", QueryError::Empty),
            ("\"头雁", QueryError::UnclosedQuote),
            ("a “b", QueryError::UnclosedQuote),
            ("OR a", QueryError::LoneOr),
            ("a OR", QueryError::LoneOr),
            ("a OR -b", QueryError::LoneOr),
            ("a OR OR b", QueryError::LoneOr),
            ("-a -b", QueryError::OnlyExclusions),
        ] {
            assert_eq!(SearchQuery::parse(text), Err(error), "{text:?}");
        }
        assert!(SearchQuery::parse(&"头".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(SearchQuery::parse(&"头".repeat(MAX_QUERY_CHARS + 1)), Err(QueryError::TooLong));
        assert_eq!(SearchQuery::parse(&"a ".repeat(MAX_QUERY_PARTS + 1)), Err(QueryError::TooManyParts));
    }
}
