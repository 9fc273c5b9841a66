//! An address as sent by a client, checked field by field, and as shown back.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{country, text};
use crate::error::{ApiError, FieldError};
use crate::store::addresses::Address;

/// `POST /me/addresses` and `PUT /me/addresses/{id}` bodies.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[schema(schema_with = crate::domain::schema::optional_text::<50>)]
    pub label: Option<String>,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub name: String,
    #[schema(schema_with = crate::domain::schema::text::<200>)]
    pub line1: String,
    #[schema(schema_with = crate::domain::schema::optional_text::<200>)]
    pub line2: Option<String>,
    #[schema(schema_with = crate::domain::schema::text::<100>)]
    pub city: String,
    #[schema(schema_with = crate::domain::schema::text::<20>)]
    pub postcode: String,
    /// ISO 3166-1 alpha-2, e.g. `GB`.
    #[schema(schema_with = crate::domain::schema::country)]
    pub country: String,
    #[schema(schema_with = crate::domain::schema::optional_phone)]
    pub phone: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

impl AddressInput {
    /// The checked address, or every field error at once.
    pub fn into_address(self, id: String, created_at: String) -> Result<(Address, bool), ApiError> {
        let mut errors = Vec::new();
        let mut req = |field: &str, value: &str, max: usize| {
            text::clean(value, max).unwrap_or_else(|e| {
                errors.push(FieldError::new(field, e));
                String::new()
            })
        };
        let name = req("name", &self.name, 100);
        let line1 = req("line1", &self.line1, 200);
        let city = req("city", &self.city, 100);
        let postcode = req("postcode", &self.postcode, 20);
        let label = text::optional(&mut errors, "label", self.label.as_deref(), 50);
        let line2 = text::optional(&mut errors, "line2", self.line2.as_deref(), 200);
        let phone = match self.phone.as_deref().filter(|p| !p.trim().is_empty()) {
            None => None,
            Some(p) => match text::phone(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(FieldError::new("phone", e));
                    None
                }
            },
        };
        let country = country::parse(&self.country).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "country",
                "must be an ISO 3166-1 alpha-2 code such as GB",
            ));
            String::new()
        });
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok((
            Address {
                id,
                label,
                name,
                line1,
                line2,
                city,
                postcode,
                country,
                phone,
                created_at,
            },
            self.is_default,
        ))
    }
}

/// An address as shown to its owner: its fields and whether it is the default. Built from the
/// stored address field by field, so a field added to the stored item is not shown by accident.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddressView {
    pub id: String,
    pub label: Option<String>,
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: Option<String>,
    pub created_at: String,
    pub is_default: bool,
}

impl AddressView {
    pub fn new(address: Address, default_id: Option<&str>) -> Self {
        let Address {
            id,
            label,
            name,
            line1,
            line2,
            city,
            postcode,
            country,
            phone,
            created_at,
        } = address;
        Self {
            is_default: default_id == Some(id.as_str()),
            id,
            label,
            name,
            line1,
            line2,
            city,
            postcode,
            country,
            phone,
            created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(country: &str, name: &str) -> AddressInput {
        AddressInput {
            label: Some("Home".into()),
            name: name.into(),
            line1: "1 High St".into(),
            line2: Some("  ".into()),
            city: "London".into(),
            postcode: "N1 9GU".into(),
            country: country.into(),
            phone: None,
            is_default: true,
        }
    }

    #[test]
    fn checks_every_field_and_reports_them_together() {
        let (a, default) = input("gb", " Ada ")
            .into_address("a1".into(), "t".into())
            .unwrap();
        assert_eq!(
            (a.country.as_str(), a.name.as_str(), a.line2, default),
            ("GB", "Ada", None, true)
        );
        match input("XX", "").into_address("a1".into(), "t".into()) {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, vec!["name", "country"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
