//! The catalog's search, as API.md's "Decisions on details" settle it: a query's words are split
//! on anything not a letter or digit and must all match (AND); a word matches a whole word, or a
//! prefix of at least 2 characters, case- and accent-insensitively; a sku also matches whole,
//! dashes included.
//!
//! Each product keeps its words sorted ([`Words`]), so one query word is one binary search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The shortest query word that also matches as a prefix.
const MIN_PREFIX: usize = 2;

/// `text` lowercased with its accents taken off ("Crème" → "creme").
pub fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded words of `text`.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
}

/// The distinct words of a product, sorted, with its whole skus.
#[derive(Debug, Clone, Default)]
pub struct Words {
    sorted: Vec<String>,
    skus: Vec<String>,
}

impl Words {
    /// The words of `texts`, and `skus` both whole and split into words.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>, skus: &[String]) -> Self {
        let mut sorted: Vec<String> = texts.into_iter().flat_map(words).collect();
        sorted.extend(skus.iter().flat_map(|s| words(s)));
        sorted.sort_unstable();
        sorted.dedup();
        Self {
            sorted,
            skus: skus.iter().map(|s| fold(s)).collect(),
        }
    }

    /// Whether `word` (folded) is one of these words, or (2 characters or more) begins one.
    fn has(&self, word: &str) -> bool {
        let at = self.sorted.partition_point(|w| w.as_str() < word);
        self.sorted.get(at).is_some_and(|w| {
            w == word || (word.chars().count() >= MIN_PREFIX && w.starts_with(word))
        })
    }
}

/// A parsed `q`.
#[derive(Debug, Clone)]
pub struct Query {
    whole: String,
    words: Vec<String>,
}

impl Query {
    /// `None` when `q` holds no word (it then filters nothing).
    pub fn parse(q: &str) -> Option<Self> {
        let words: Vec<String> = words(q).collect();
        (!words.is_empty()).then(|| Self {
            whole: fold(q.trim()),
            words,
        })
    }

    pub fn matches(&self, words: &Words) -> bool {
        words.skus.contains(&self.whole) || self.words.iter().all(|w| words.has(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product() -> Words {
        Words::new(
            [
                "Crème Brûlée Mug",
                "A stoneware mug, 350 ml.",
                "kitchen",
                "gift",
            ],
            &["MUG-CB-350".to_owned()],
        )
    }

    fn hit(q: &str) -> bool {
        Query::parse(q).unwrap().matches(&product())
    }

    #[test]
    fn words_match_whole_or_by_prefixes_of_two_or_more() {
        assert!(hit("mug"));
        assert!(hit("MU"), "a prefix of two");
        assert!(!hit("m"), "a prefix of one is not enough");
        assert!(hit("a"), "but a whole one-letter word matches");
        assert!(hit("stonew"));
        assert!(!hit("tone"), "the middle of a word is not a prefix");
        assert!(hit("350"));
    }

    #[test]
    fn every_word_must_match_and_accents_and_case_do_not_matter() {
        assert!(hit("creme brulee"));
        assert!(hit("CRÈME kitchen"));
        assert!(!hit("creme teapot"));
        assert!(hit("brûl, GIF!"));
    }

    #[test]
    fn a_sku_matches_whole_and_by_its_parts() {
        assert!(hit("mug-cb-350"));
        assert!(hit("cb"));
        assert!(!hit("cb-351"));
    }

    #[test]
    fn a_query_without_words_filters_nothing() {
        assert!(Query::parse("  -- !").is_none());
        assert!(Query::parse("").is_none());
    }
}
