//! A review as a customer writes it (checked field by field) and as everyone sees it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::text;
use crate::error::{ApiError, FieldError};
use crate::store::reviews::{Review, ReviewChange, ReviewError};

/// `POST /products/{slug}/reviews`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    /// 1 to 120 characters.
    #[schema(schema_with = crate::domain::schema::text::<120>)]
    pub title: String,
    /// 1 to 2000 characters.
    #[schema(schema_with = crate::domain::schema::text::<2000>)]
    pub comment: String,
}

/// `PATCH /reviews/{id}`: the fields given change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPatch {
    #[schema(schema_with = crate::domain::schema::optional_int::<1, 5>)]
    pub rating: Option<i64>,
    #[schema(schema_with = crate::domain::schema::text_or_null::<120>)]
    pub title: Option<String>,
    #[schema(schema_with = crate::domain::schema::text_or_null::<2000>)]
    pub comment: Option<String>,
}

fn rating(value: i64, errors: &mut Vec<FieldError>) -> u8 {
    match u8::try_from(value) {
        Ok(r @ 1..=5) => r,
        _ => {
            errors.push(FieldError::new(
                "rating",
                "must be a whole number from 1 to 5",
            ));
            0
        }
    }
}

fn field(name: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    text::clean(value, max).unwrap_or_else(|e| {
        errors.push(FieldError::new(name, e));
        String::new()
    })
}

impl ReviewInput {
    /// The checked (rating, title, comment), or every field error at once.
    pub fn checked(&self) -> Result<(u8, String, String), ApiError> {
        let mut errors = Vec::new();
        let r = rating(self.rating, &mut errors);
        let title = field("title", &self.title, 120, &mut errors);
        let comment = field("comment", &self.comment, 2000, &mut errors);
        if errors.is_empty() {
            Ok((r, title, comment))
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

impl ReviewPatch {
    pub fn checked(&self) -> Result<ReviewChange, ApiError> {
        let mut errors = Vec::new();
        let change = ReviewChange {
            rating: self.rating.map(|r| rating(r, &mut errors)),
            title: self
                .title
                .as_deref()
                .map(|t| field("title", t, 120, &mut errors)),
            comment: self
                .comment
                .as_deref()
                .map(|c| field("comment", c, 2000, &mut errors)),
        };
        if errors.is_empty() {
            Ok(change)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// The client errors of a review write: one review per user and product (409
/// `review_exists`); a review or product that is not there, or not the caller's, is 404.
pub fn review_error(e: ReviewError) -> ApiError {
    match e {
        ReviewError::Exists => ApiError::ReviewExists,
        ReviewError::NotFound => ApiError::NotFound,
        ReviewError::Own => ApiError::Forbidden,
        ReviewError::Store(e) => e.into(),
    }
}

/// A review as everyone sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub product_id: String,
    pub author: Option<String>,
    pub rating: u8,
    pub title: String,
    pub comment: String,
    pub verified_purchase: bool,
    pub helpful_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Review> for ReviewView {
    fn from(r: Review) -> Self {
        Self {
            id: r.id,
            product_id: r.product_id,
            author: r.author,
            rating: r.rating,
            title: r.title,
            comment: r.comment,
            verified_purchase: r.verified_purchase,
            helpful_count: r.helpful_count,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
