//! The listings' query strings read into a [`Filter`] and a [`Sort`], every bad value a field
//! error (422) at once, and the scope a cursor is bound to: the list, its filters and its sort,
//! as read (so `?tag=Gift` and `?tag=gift` share cursors, and any other filter does not).

use serde::Deserialize;

use super::listing::{Filter, Sort};
use super::search;
use crate::domain::catalog::{ProductStatus, Slug, Tier};
use crate::error::{ApiError, FieldError};

const MAX_QUERY: usize = 200;
const MAX_TAG: usize = 40;
const MAX_PRICE: i64 = 100_000_000;

/// `GET /products`' query string (`limit` and `cursor` are read by `paging`).
#[derive(Debug, Default, Deserialize)]
pub struct PublicParams {
    category: Option<String>,
    q: Option<String>,
    min_price: Option<String>,
    max_price: Option<String>,
    in_stock: Option<String>,
    featured: Option<String>,
    tier: Option<String>,
    tag: Option<String>,
    sort: Option<String>,
}

/// `GET /admin/products`' query string.
#[derive(Debug, Default, Deserialize)]
pub struct StaffParams {
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    low_stock: Option<String>,
}

/// Collects field errors while reading.
#[derive(Default)]
struct Reader {
    errors: Vec<FieldError>,
    scope: Vec<String>,
}

impl Reader {
    fn given(raw: &Option<String>) -> Option<&str> {
        raw.as_deref().map(str::trim).filter(|r| !r.is_empty())
    }

    fn fail(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::new(field.to_owned(), message));
    }

    fn note(&mut self, field: &str, value: impl std::fmt::Display) {
        self.scope.push(format!("{field}={value}"));
    }

    fn category(&mut self, raw: &Option<String>) -> Option<String> {
        let raw = Self::given(raw)?;
        match Slug::parse(raw) {
            Ok(slug) => {
                self.note("category", slug.as_str());
                Some(slug.as_str().to_owned())
            }
            Err(e) => {
                self.fail("category", e);
                None
            }
        }
    }

    fn query(&mut self, raw: &Option<String>) -> Option<search::Query> {
        // Counted as sent, as the OpenAPI document's maxLength counts.
        let sent = raw.as_deref().map_or(0, |r| r.chars().count());
        let raw = Self::given(raw)?;
        if sent > MAX_QUERY {
            self.fail("q", "at most 200 characters");
            return None;
        }
        let query = search::Query::parse(raw)?;
        self.note("q", search::fold(raw));
        Some(query)
    }

    fn price(&mut self, field: &str, raw: &Option<String>) -> Option<i64> {
        let raw = Self::given(raw)?;
        match raw.parse::<i64>() {
            Ok(p) if (0..=MAX_PRICE).contains(&p) => {
                self.note(field, p);
                Some(p)
            }
            _ => {
                self.fail(
                    field,
                    "must be a whole number of minor units, 0 to 100000000",
                );
                None
            }
        }
    }

    fn flag(&mut self, field: &str, raw: &Option<String>) -> Option<bool> {
        match Self::given(raw)? {
            "true" => {
                self.note(field, true);
                Some(true)
            }
            "false" => {
                self.note(field, false);
                Some(false)
            }
            _ => {
                self.fail(field, "must be true or false");
                None
            }
        }
    }

    fn choice<T: serde::de::DeserializeOwned>(
        &mut self,
        field: &str,
        raw: &Option<String>,
        expects: &str,
    ) -> Option<T> {
        let raw = Self::given(raw)?;
        match crate::domain::variant_named(raw) {
            Some(value) => {
                self.note(field, raw);
                Some(value)
            }
            None => {
                self.fail(field, expects);
                None
            }
        }
    }

    fn finish<T>(self, list: &str, value: T) -> Result<(T, String), ApiError> {
        if self.errors.is_empty() {
            Ok((value, format!("{list}|{}", self.scope.join("&"))))
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

impl PublicParams {
    /// The filter (active products only), the sort, and the cursor's scope.
    pub fn read(self) -> Result<((Filter, Sort), String), ApiError> {
        let mut r = Reader::default();
        let min_price = r.price("min_price", &self.min_price);
        let max_price = r.price("max_price", &self.max_price);
        // A price range that ends before it starts simply lists nothing.
        let tag_sent = self.tag.as_deref().map_or(0, |t| t.chars().count());
        let tag = Reader::given(&self.tag).and_then(|t| {
            if tag_sent > MAX_TAG {
                r.fail("tag", "at most 40 characters");
                return None;
            }
            let tag = t.to_lowercase();
            r.note("tag", &tag);
            Some(tag)
        });
        let filter = Filter {
            status: Some(ProductStatus::Active),
            category: r.category(&self.category),
            query: r.query(&self.q),
            query_names_and_skus: false,
            min_price,
            max_price,
            in_stock: r.flag("in_stock", &self.in_stock),
            featured: r.flag("featured", &self.featured),
            tier: r.choice::<Tier>("tier", &self.tier, "must be standard or pro"),
            tag,
            low_stock: None,
        };
        let sort = match Reader::given(&self.sort) {
            None => Sort::default(),
            Some(raw) => Sort::parse(raw).unwrap_or_else(|| {
                r.fail(
                    "sort",
                    "must be price, -price, name, -created_at or -rating",
                );
                Sort::default()
            }),
        };
        r.note("sort", sort.as_str());
        r.finish("products", (filter, sort))
    }
}

impl StaffParams {
    /// The filter (newest first) and the cursor's scope; `low_stock=true` keeps products with
    /// a variant at or under `low_stock_threshold`.
    pub fn read(self, low_stock_threshold: i64) -> Result<(Filter, String), ApiError> {
        let mut r = Reader::default();
        let filter = Filter {
            status: r.choice::<ProductStatus>(
                "status",
                &self.status,
                "must be draft, active or archived",
            ),
            category: r.category(&self.category),
            query: r.query(&self.q),
            query_names_and_skus: true,
            low_stock: r
                .flag("low_stock", &self.low_stock)
                .unwrap_or(false)
                .then_some(low_stock_threshold),
            ..Filter::default()
        };
        r.finish("admin_products", filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(query: &str) -> Result<((Filter, Sort), String), ApiError> {
        let params: PublicParams = serde_urlencoded_like(query);
        params.read()
    }

    fn serde_urlencoded_like(query: &str) -> PublicParams {
        let uri: axum::http::Uri = format!("/p?{query}").parse().unwrap();
        axum::extract::Query::<PublicParams>::try_from_uri(&uri)
            .unwrap()
            .0
    }

    #[test]
    fn every_bad_value_is_a_field_error_at_once() {
        let Err(ApiError::Validation(errors)) =
            public("min_price=-1&max_price=x&in_stock=yes&tier=gold&sort=cheap&category=A%20B")
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "min_price",
                "max_price",
                "category",
                "in_stock",
                "tier",
                "sort"
            ]
        );
    }

    #[test]
    fn the_scope_names_the_filters_and_sort_as_read() {
        let (_, a) = public("tag=Gift&sort=price").unwrap();
        let (_, b) = public("sort=price&tag=gift").unwrap();
        let (_, c) = public("tag=gift").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c, "another sort is another list");
        // A range that ends before it starts is read (it lists nothing), not refused.
        assert!(public("min_price=5&max_price=4").is_ok());
        assert!(matches!(
            public("min_price=-5"),
            Err(ApiError::Validation(_))
        ));
    }
}
