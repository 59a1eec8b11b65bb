//! How alike two articles' texts are: one story carried by several outlets (新华社 via
//! three local papers) with minor edits — another 本报讯 line, a changed sentence,
//! other punctuation — is told apart from different stories that share boilerplate (a
//! long footer, the same 记者 line).
//!
//! An article's text (title and content, markup, punctuation, symbols and spacing
//! removed, NFKC-folded so full-width and half-width forms are one, lower-cased) is cut
//! into overlapping runs of `SHINGLE_CHARS` characters; a `Likeness` is its MinHash
//! signature, `HASHES` minima of as many hash functions, whose share of equal positions
//! between two texts estimates the Jaccard similarity of their runs. Candidates are
//! found by `BANDS` bands of `ROWS` minima each: two texts sharing any band are
//! compared, and near-duplicates when the estimate reaches `NEAR_DUPLICATE`. The
//! figures were chosen by measuring the fixtures of the tests below (see README, "One
//! story from many outlets").
//!
//! The hashes are written here (FNV-1a, then a SplitMix64 finaliser per function), not
//! taken from `std`, whose hasher may change between Rust releases: signatures are
//! stored and must compare equal across builds.

use icu_normalizer::ComposingNormalizerBorrowed;

/// Characters per shingle. Four keeps a changed sentence from touching more than its
/// own runs while two unrelated Chinese texts share few (common words are two or three
/// characters long).
pub const SHINGLE_CHARS: usize = 4;
/// Minima in a signature.
pub const HASHES: usize = 64;
/// Bands the signature is cut into for the lookup, of `ROWS` minima each. Two rows a
/// band make a pair at the threshold a candidate with a probability of 1 − (1 − 0.375²)³²
/// ≈ 0.99, and two unrelated texts (2% alike) one with 1 − (1 − 0.02²)³² ≈ 1%.
pub const BANDS: usize = 32;
pub const ROWS: usize = HASHES / BANDS;
/// The estimated Jaccard similarity from which two texts are one story: 24 of 64
/// minima equal. Halfway between the least alike copy of one story (0.47) and the most
/// alike two stories sharing boilerplate (0.28) in the fixtures.
pub const NEAR_DUPLICATE: f64 = 0.375;
/// Texts shorter than this (in characters kept) are never compared: a two-line notice
/// or a bare headline says too little to tell a copy from a coincidence.
pub const MIN_CHARS: usize = 60;

/// The MinHash signature of an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Likeness {
    mins: [u32; HASHES],
}

impl Likeness {
    /// The signature of a title and HTML content; `None` when the text is too short to
    /// compare (`MIN_CHARS`).
    pub fn of(title: &str, content_html: Option<&str>) -> Option<Likeness> {
        let chars = normalised(title, content_html.unwrap_or(""));
        if chars.len() < MIN_CHARS.max(SHINGLE_CHARS) {
            return None;
        }
        let mut mins = [u32::MAX; HASHES];
        for shingle in chars.windows(SHINGLE_CHARS) {
            let base = fnv1a(shingle);
            for (i, min) in mins.iter_mut().enumerate() {
                let hashed = (mix(base ^ SEEDS[i]) >> 32) as u32;
                if hashed < *min {
                    *min = hashed;
                }
            }
        }
        Some(Likeness { mins })
    }

    /// The estimated Jaccard similarity of the two texts' shingles.
    pub fn similarity(&self, other: &Likeness) -> f64 {
        let equal = self.mins.iter().zip(&other.mins).filter(|(a, b)| a == b).count();
        equal as f64 / HASHES as f64
    }

    pub fn is_near_duplicate_of(&self, other: &Likeness) -> bool {
        self.similarity(other) >= NEAR_DUPLICATE
    }

    /// One key per band: texts sharing a key are candidates. The band's number is
    /// hashed in, so equal minima in different bands do not meet.
    pub fn band_keys(&self) -> Vec<i64> {
        self.mins
            .chunks(ROWS)
            .enumerate()
            .map(|(band, rows)| {
                let mut key = mix(band as u64 ^ SEEDS[0]);
                for &row in rows {
                    key = mix(key ^ u64::from(row));
                }
                key as i64
            })
            .collect()
    }

    /// The stored form: hexadecimal, eight digits a minimum.
    pub fn to_hex(&self) -> String {
        self.mins.iter().map(|m| format!("{m:08x}")).collect()
    }

    /// Reads the stored form back; `None` when it is not one.
    pub fn from_hex(hex: &str) -> Option<Likeness> {
        if hex.len() != HASHES * 8 || !hex.is_ascii() {
            return None;
        }
        let mut mins = [0u32; HASHES];
        for (i, min) in mins.iter_mut().enumerate() {
            *min = u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).ok()?;
        }
        Some(Likeness { mins })
    }
}

/// The characters compared: title and content text, tags and character references
/// dropped, NFKC-folded and lower-cased, letters and digits only.
fn normalised(title: &str, content_html: &str) -> Vec<char> {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let text = format!("{title}\n{}", without_markup(content_html));
    nfkc.normalize(&text).chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Text without tags and with character references removed (`&amp;` and the like say
/// nothing about the story).
fn without_markup(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find(['<', '&']) {
        text.push_str(&rest[..open]);
        text.push(' ');
        let close = if rest[open..].starts_with('<') { '>' } else { ';' };
        rest = rest[open..].find(close).map_or("", |end| &rest[open + end + 1..]);
    }
    text.push_str(rest);
    text
}

fn fnv1a(chars: &[char]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        for byte in (c as u32).to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// SplitMix64's finaliser: every input bit moves every output bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One seed per hash function: SplitMix64's sequence from 0, fixed forever (stored
/// signatures depend on it).
const SEEDS: [u64; HASHES] = seeds();

const fn seeds() -> [u64; HASHES] {
    let mut seeds = [0u64; HASHES];
    let mut state: u64 = 0;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        seeds[i] = z ^ (z >> 31);
        i += 1;
    }
    seeds
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
