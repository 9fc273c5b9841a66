//! The product listings (`GET /products`, `GET /admin/products`) over an in-memory [`Index`] of
//! the whole catalog: every filter, the search, the sorts and keyset pages.
//!
//! A page ends at a [`Position`] (the last product's sort value, creation time and id); the next
//! page starts strictly after it in the same order. So a product created, changed or archived
//! between two pages never makes another one appear twice or go missing: each product that was
//! there throughout is listed exactly once.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::search::{self, Words};
use crate::domain::catalog::{ProductStatus, Tier};
use crate::store::categories::Category;
use crate::store::products::{Product, Variant};

/// A product as the listings hold it: the stored product and variants, and what its filters,
/// sorts and search read, worked out once when the index is built.
#[derive(Debug)]
pub struct Entry {
    pub product: Product,
    pub variants: Vec<Variant>,
    /// All its variants hold together.
    pub stock: i64,
    name_key: String,
    /// The average rating scaled to an integer (exact enough to order by); `None`: unrated.
    rating_key: Option<i64>,
    /// Name, description, tags and skus: what the public search reads.
    words: Words,
    /// Name and skus: what the staff search reads.
    staff_words: Words,
}

impl Entry {
    fn new(product: Product, mut variants: Vec<Variant>) -> Self {
        variants.sort_by(|a, b| a.sku.cmp(&b.sku));
        let skus: Vec<String> = variants.iter().map(|v| v.sku.clone()).collect();
        let mut texts = vec![product.name.as_str(), product.description.as_str()];
        texts.extend(product.tags.iter().map(String::as_str));
        Self {
            stock: variants.iter().map(|v| v.stock.max(0)).sum(),
            name_key: search::fold(&product.name),
            rating_key: (product.rating_count > 0)
                .then(|| product.rating_sum * 1_000_000 / i64::from(product.rating_count)),
            words: Words::new(texts, &skus),
            staff_words: Words::new([product.name.as_str()], &skus),
            variants,
            product,
        }
    }

    fn position(&self, sort: Sort) -> Position {
        let (number, text) = match sort {
            Sort::Price | Sort::PriceDescending => (Some(self.product.price_from), None),
            Sort::Name => (None, Some(self.name_key.clone())),
            Sort::Rating => (self.rating_key, None),
            Sort::Newest => (None, None),
        };
        Position {
            number,
            text,
            created_at: self.product.created_at.clone(),
            id: self.product.id.clone(),
        }
    }
}

/// The listings' sorts (`?sort=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    Price,
    PriceDescending,
    Name,
    #[default]
    Newest,
    Rating,
}

impl Sort {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "price" => Self::Price,
            "-price" => Self::PriceDescending,
            "name" => Self::Name,
            "-created_at" => Self::Newest,
            "-rating" => Self::Rating,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Price => "price",
            Self::PriceDescending => "-price",
            Self::Name => "name",
            Self::Newest => "-created_at",
            Self::Rating => "-rating",
        }
    }

    /// The order of two positions: by the sort's own value, then newest first, then by id.
    fn compare(self, a: &Position, b: &Position) -> Ordering {
        let first = match self {
            Self::Price => a.number.cmp(&b.number),
            Self::PriceDescending => b.number.cmp(&a.number),
            Self::Name => a.text.cmp(&b.text),
            // Rated first, best first; unrated last.
            Self::Rating => match (a.number, b.number) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            Self::Newest => Ordering::Equal,
        };
        first
            .then_with(|| b.created_at.cmp(&a.created_at))
            .then_with(|| a.id.cmp(&b.id))
    }
}

/// Where a page ended, as its signed cursor carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    number: Option<i64>,
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(rename = "c")]
    created_at: String,
    #[serde(rename = "i")]
    id: String,
}

/// What a listing keeps. `None` everywhere keeps everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only products with this status (the public listing: active).
    pub status: Option<ProductStatus>,
    /// A category's slug: products in it or in any category under it.
    pub category: Option<String>,
    pub query: Option<search::Query>,
    /// Whether `query` reads only names and skus (staff) rather than everything (public).
    pub query_names_and_skus: bool,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// `true`: something to sell; `false`: nothing to sell.
    pub in_stock: Option<bool>,
    pub featured: Option<bool>,
    pub tier: Option<Tier>,
    /// A tag (lowercase).
    pub tag: Option<String>,
    /// Only products with a variant at or under this stock (the low-stock threshold).
    pub low_stock: Option<i64>,
}

/// The whole catalog in memory.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// Each category's direct children.
    children: HashMap<String, Vec<String>>,
}

impl Index {
    /// The index of these products (any status), variants (by product id) and categories.
    pub fn new(
        products: Vec<Product>,
        variants: Vec<(String, Variant)>,
        categories: &[Category],
    ) -> Self {
        let mut by_product: HashMap<String, Vec<Variant>> = HashMap::new();
        for (product_id, variant) in variants {
            by_product.entry(product_id).or_default().push(variant);
        }
        let entries = products
            .into_iter()
            .map(|p| {
                let variants = by_product.remove(&p.id).unwrap_or_default();
                Entry::new(p, variants)
            })
            .collect();
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        for c in categories {
            if let Some(parent) = &c.parent {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(c.slug.clone());
            }
        }
        Self { entries, children }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `slug` and every category under it.
    fn subtree<'a>(&'a self, slug: &'a str) -> BTreeSet<&'a str> {
        let mut found = BTreeSet::from([slug]);
        let mut next = vec![slug];
        while let Some(at) = next.pop() {
            for child in self.children.get(at).into_iter().flatten() {
                // A loop cannot be stored, but a set makes sure one would not hang us.
                if found.insert(child) {
                    next.push(child);
                }
            }
        }
        found
    }

    /// Up to `limit` products after `after`, in `sort` order, and the position the page ended at
    /// when more follow.
    pub fn page(
        &self,
        filter: &Filter,
        sort: Sort,
        after: Option<&Position>,
        limit: usize,
    ) -> (Vec<&Entry>, Option<Position>) {
        let categories = filter.category.as_deref().map(|c| self.subtree(c));
        let mut found: Vec<(Position, &Entry)> = self
            .entries
            .iter()
            .filter(|e| keeps(filter, categories.as_ref(), e))
            .map(|e| (e.position(sort), e))
            .filter(|(p, _)| after.is_none_or(|a| sort.compare(p, a) == Ordering::Greater))
            .collect();
        found.sort_by(|(a, _), (b, _)| sort.compare(a, b));
        let more = found.len() > limit;
        found.truncate(limit);
        let end = more.then(|| found.last().map(|(p, _)| p.clone())).flatten();
        (found.into_iter().map(|(_, e)| e).collect(), end)
    }
}

fn keeps(filter: &Filter, categories: Option<&BTreeSet<&str>>, e: &Entry) -> bool {
    let p = &e.product;
    filter.status.is_none_or(|s| p.status == s)
        && categories.is_none_or(|set| p.category.as_deref().is_some_and(|c| set.contains(c)))
        && filter.min_price.is_none_or(|min| p.price_from >= min)
        && filter.max_price.is_none_or(|max| p.price_from <= max)
        && filter.in_stock.is_none_or(|wanted| (e.stock > 0) == wanted)
        && filter.featured.is_none_or(|f| p.featured == f)
        && filter.tier.is_none_or(|t| p.tier == t)
        && filter
            .tag
            .as_ref()
            .is_none_or(|tag| p.tags.iter().any(|t| t == tag))
        && filter
            .low_stock
            .is_none_or(|at| e.variants.iter().any(|v| v.stock <= at))
        && filter.query.as_ref().is_none_or(|q| {
            q.matches(if filter.query_names_and_skus {
                &e.staff_words
            } else {
                &e.words
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: &str, name: &str, price: i64, created: &str, rating: (i64, u32)) -> Product {
        Product {
            id: id.into(),
            slug: id.to_lowercase(),
            name: name.into(),
            description: String::new(),
            category: None,
            tags: vec![],
            featured: false,
            tier: Tier::Standard,
            status: ProductStatus::Active,
            price_from: price,
            rating_sum: rating.0,
            rating_count: rating.1,
            created_at: created.into(),
            updated_at: created.into(),
            images: Default::default(),
        }
    }

    fn ids(entries: &[&Entry]) -> Vec<String> {
        entries.iter().map(|e| e.product.id.clone()).collect()
    }

    fn index() -> Index {
        Index::new(
            vec![
                product("A", "banana", 300, "2026-01-01", (0, 0)),
                product("B", "Apple", 100, "2026-01-02", (9, 2)),
                product("C", "cherry", 300, "2026-01-03", (5, 1)),
                product("D", "apple", 200, "2026-01-03", (9, 2)),
            ],
            vec![],
            &[],
        )
    }

    #[test]
    fn sorts_break_ties_by_newest_then_id() {
        let index = index();
        let all = |sort| ids(&index.page(&Filter::default(), sort, None, 10).0);
        assert_eq!(all(Sort::Newest), ["C", "D", "B", "A"]);
        assert_eq!(all(Sort::Price), ["B", "D", "C", "A"]);
        assert_eq!(all(Sort::PriceDescending), ["C", "A", "D", "B"]);
        assert_eq!(all(Sort::Name), ["D", "B", "A", "C"], "case-insensitive");
        assert_eq!(all(Sort::Rating), ["C", "D", "B", "A"], "unrated last");
    }

    #[test]
    fn pages_continue_after_their_position_whatever_the_limit() {
        let index = index();
        for sort in [Sort::Newest, Sort::Price, Sort::Name, Sort::Rating] {
            for limit in 1..=4 {
                let mut seen = Vec::new();
                let mut after = None;
                loop {
                    let (page, end) = index.page(&Filter::default(), sort, after.as_ref(), limit);
                    seen.extend(ids(&page));
                    match end {
                        Some(p) => after = Some(p),
                        None => break,
                    }
                }
                assert_eq!(seen, ids(&index.page(&Filter::default(), sort, None, 10).0));
            }
        }
    }

    #[test]
    fn a_category_includes_its_subcategories() {
        let mut a = product("A", "a", 1, "1", (0, 0));
        a.category = Some("tea".into());
        let mut b = product("B", "b", 1, "2", (0, 0));
        b.category = Some("green".into());
        let mut c = product("C", "c", 1, "3", (0, 0));
        c.category = Some("mugs".into());
        let cat = |slug: &str, parent: Option<&str>| Category {
            slug: slug.into(),
            name: slug.into(),
            parent: parent.map(Into::into),
            created_at: String::new(),
        };
        let index = Index::new(
            vec![a, b, c],
            vec![],
            &[
                cat("tea", None),
                cat("green", Some("tea")),
                cat("mugs", None),
            ],
        );
        let filter = |c: &str| Filter {
            category: Some(c.into()),
            ..Filter::default()
        };
        assert_eq!(
            ids(&index.page(&filter("tea"), Sort::Newest, None, 10).0),
            ["B", "A"]
        );
        assert_eq!(
            ids(&index.page(&filter("green"), Sort::Newest, None, 10).0),
            ["B"]
        );
        assert!(
            index
                .page(&filter("none"), Sort::Newest, None, 10)
                .0
                .is_empty()
        );
    }
}
