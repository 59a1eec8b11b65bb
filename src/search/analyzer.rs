//! Text into index terms, the same way for what is indexed and what is asked.
//!
//! Chinese has no spaces, and a dictionary misses names and new words, so a run of
//! CJK characters becomes every single character and every pair of neighbours (bigrams),
//! each at the position of its first character, plus jieba's dictionary words of three
//! characters or more (a two-character word is a bigram already). A query for a run of
//! two or more characters asks for its bigrams as a phrase: exact whatever the
//! dictionary knows ("头雁" finds 做带领群众奔向幸福生活的"头雁"). Dictionary words only
//! add to the score. Letters and digits form words, lower-cased (full-width forms folded
//! to ASCII) and then stemmed as English by the analyzer's filter.

use jieba_rs::Jieba;
use std::sync::LazyLock;
use tantivy::tokenizer::{Language, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the index's text fields are analysed under.
pub const ANALYZER: &str = "syndic";

/// Longest term kept, in bytes: longer "words" are noise (base64, long URLs).
const MAX_TERM_BYTES: usize = 64;

/// The dictionary segmenter, loaded once (its dictionary is compiled in).
static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Which terms a piece of text becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Everything the index holds: characters, bigrams, dictionary words, words.
    Index,
    /// What must match for a query word or phrase: bigrams (a lone character by
    /// itself), words; consecutive in position, so a phrase of them is exact.
    Exact,
    /// The dictionary words of three characters or more, which raise the score.
    Words,
}

/// The analyzer of `mode`: segmentation, then long terms dropped and words stemmed.
pub fn analyzer(mode: Mode) -> TextAnalyzer {
    TextAnalyzer::builder(Segmenter { mode })
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The terms of `text` in `mode`, with their positions.
pub fn terms(text: &str, mode: Mode) -> Vec<(usize, String)> {
    let mut analyzer = analyzer(mode);
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        terms.push((token.position, token.text.clone()));
    }
    terms
}

#[derive(Debug, Clone)]
struct Segmenter {
    mode: Mode,
}

impl Tokenizer for Segmenter {
    type TokenStream<'a> = Segments;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Segments {
        Segments { tokens: segment(text, self.mode), next: 0 }
    }
}

struct Segments {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for Segments {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class(c: char) -> Class {
    match c {
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}' => Class::Cjk,
        c if c.is_alphanumeric() => Class::Word,
        _ => Class::Other,
    }
}

/// Full-width ASCII (Ａ, ９) as ASCII.
fn narrow(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        c => c,
    }
}

fn segment(text: &str, mode: Mode) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    let mut chars = text.char_indices().map(|(at, c)| (at, c, class(narrow(c)))).peekable();
    while let Some(&(start, _, kind)) = chars.peek() {
        let mut run = Vec::new();
        while let Some(&(at, c, next_kind)) = chars.peek() {
            if next_kind != kind {
                break;
            }
            run.push((at, c));
            chars.next();
        }
        let end = chars.peek().map_or(text.len(), |&(at, _, _)| at);
        match kind {
            Class::Cjk => {
                cjk_run(&text[start..end], &run, position, mode, &mut tokens);
                position += run.len();
            }
            Class::Word if mode != Mode::Words => {
                let word: String = run.iter().flat_map(|&(_, c)| narrow(c).to_lowercase()).collect();
                tokens.push(token(word, start, end, position));
                position += 1;
            }
            Class::Word => position += 1,
            Class::Other => {}
        }
    }
    tokens
}

/// The terms of one run of CJK characters, `run` its characters with their offsets,
/// starting at `first` in position.
fn cjk_run(text: &str, run: &[(usize, char)], first: usize, mode: Mode, tokens: &mut Vec<Token>) {
    let start = tokens.len();
    let end_of = |i: usize| run.get(i + 1).map_or(run[0].0 + text.len(), |&(at, _)| at);
    let single = run.len() == 1;
    for (i, &(at, c)) in run.iter().enumerate() {
        if mode == Mode::Index || (mode == Mode::Exact && single) {
            tokens.push(token(c.to_string(), at, end_of(i), first + i));
        }
        if mode != Mode::Words && i + 1 < run.len() {
            tokens.push(token(format!("{c}{}", run[i + 1].1), at, end_of(i + 1), first + i));
        }
    }
    if mode == Mode::Exact || run.len() < 3 {
        return;
    }
    for word in JIEBA.cut_for_search(text, false) {
        if word.end - word.start >= 3 {
            let at = run[0].0 + word.byte_start;
            tokens.push(token(word.word.to_owned(), at, run[0].0 + word.byte_end, first + word.start));
        }
    }
    // This run's terms alone: the text's earlier ones are in order already.
    tokens[start..].sort_by_key(|t| t.position);
}

fn token(text: String, offset_from: usize, offset_to: usize, position: usize) -> Token {
    Token { offset_from, offset_to, position, text, position_length: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, mode: Mode) -> Vec<String> {
        terms(text, mode).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn chinese_becomes_characters_bigrams_and_dictionary_words() {
        let indexed = texts("中华人民共和国", Mode::Index);
        for expected in ["中", "中华", "华人", "国", "共和国", "中华人民共和国"] {
            assert!(indexed.contains(&expected.to_owned()), "{expected} in {indexed:?}");
        }
    }

    #[test]
    fn a_query_word_is_its_bigrams_in_consecutive_positions() {
        assert_eq!(terms("头雁", Mode::Exact), [(0, "头雁".to_owned())]);
        assert_eq!(
            terms("带领群众", Mode::Exact),
            [(0, "带领".to_owned()), (1, "领群".to_owned()), (2, "群众".to_owned())]
        );
        assert_eq!(terms("党", Mode::Exact), [(0, "党".to_owned())]);
    }

    #[test]
    fn bigrams_sit_where_the_index_puts_them() {
        let indexed = terms("做带领群众奔向幸福生活的\"头雁\"", Mode::Index);
        let at = |t: &str| indexed.iter().find(|(_, x)| x == t).map(|(p, _)| *p);
        assert_eq!(at("带领"), Some(1));
        assert_eq!(at("领群"), Some(2));
        assert_eq!(at("头雁"), Some(12));
    }

    #[test]
    fn latin_words_are_folded_and_stemmed() {
        assert_eq!(texts("Running ＡＰＰ Villages", Mode::Exact), ["run", "app", "villag"]);
        assert_eq!(texts("village", Mode::Exact), texts("Villages", Mode::Exact));
    }

    #[test]
    fn mixed_text_keeps_one_position_sequence() {
        assert_eq!(terms("5G手机", Mode::Exact), [(0, "5g".to_owned()), (1, "手机".to_owned())]);
    }

    #[test]
    fn offsets_cover_the_original_text() {
        let text = "昌吉 News";
        let mut analyzer = analyzer(Mode::Index);
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            assert!(text.get(token.offset_from..token.offset_to).is_some(), "{token:?}");
        }
    }
}
