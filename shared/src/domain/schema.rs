//! The JSON Schemas of values the domain parses, for the OpenAPI document: each states what
//! its parser accepts, next to nothing else, so that generated clients and fuzzers know the
//! rules the code checks. Fields use them with utoipa's `schema_with` (`text::<100>`).

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{KnownFormat, SchemaFormat};

/// Characters free text may not hold ([`super::text::clean`]): control characters and the
/// Unicode bidirectional controls.
const NOT_IN_TEXT: &str = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";

fn string(nullable: bool) -> ObjectBuilder {
    let ty = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(ty)
}

/// Text that must say something: 1 to `MAX` characters, not all spaces, no control
/// characters ([`super::text::clean`]).
pub fn text<const MAX: usize>() -> Schema {
    text_with(MAX)
}

/// Optional text ([`super::text::optional`]): `null`, blank (taken as absent), or at most `MAX`
/// characters with no control characters.
pub fn optional_text<const MAX: usize>() -> Schema {
    optional_text_with(MAX, true)
}

/// [`optional_text`] where the field is a string that may be blank, never `null`.
pub fn text_or_blank<const MAX: usize>() -> Schema {
    optional_text_with(MAX, false)
}

fn optional_text_with(max: usize, nullable: bool) -> Schema {
    string(nullable)
        .max_length(Some(max))
        .pattern(Some(format!("^[^{NOT_IN_TEXT}]*$")))
        .into()
}

/// An email address as [`super::Email`] accepts it: plain ASCII, a dot-atom local part of
/// 1 to 64 characters, a domain of at least two letter-digit-hyphen labels (spaces around it
/// are trimmed).
pub fn email() -> Schema {
    email_schema(false)
}

/// [`email`], or `null`.
pub fn optional_email() -> Schema {
    email_schema(true)
}

fn email_schema(nullable: bool) -> Schema {
    const ATOM: &str = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
    const LABEL: &str = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    string(nullable)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(254))
        .pattern(Some(format!(
            r"^\s*(?=[^@\s]{{1,64}}@){ATOM}(?:\.{ATOM})*@{LABEL}(?:\.{LABEL})+\s*$"
        )))
        .into()
}

/// A whole number from `MIN` to `MAX`.
pub fn int<const MIN: i64, const MAX: i64>() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Integer))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(MIN as f64))
        .maximum(Some(MAX as f64))
        .into()
}

/// [`int`], or `null`.
pub fn optional_int<const MIN: i64, const MAX: i64>() -> Schema {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(MIN as f64))
        .maximum(Some(MAX as f64))
        .into()
}

/// A string matching `pattern` (anchored by the caller) of at most `max` characters.
pub fn matching(pattern: &str, max: usize, nullable: bool) -> Schema {
    string(nullable)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(pattern.to_owned()))
        .into()
}

/// [`text`], or `null`.
pub fn text_or_null<const MAX: usize>() -> Schema {
    text_schema(MAX, true)
}

/// Digits with an optional leading `+`, and spaces, dashes, dots or brackets: 6 to 15 digits
/// ([`super::text::phone`]).
const PHONE: &str = r"\s*(?=(?:[^0-9]*[0-9]){6,15}[^0-9]*$)\+?[0-9 .()-]*\s*";

/// A phone number ([`super::text::phone`]).
pub fn phone() -> Schema {
    string(false).pattern(Some(format!("^{PHONE}$"))).into()
}

/// A phone number, `null`, or blank (taken as none).
pub fn optional_phone() -> Schema {
    string(true)
        .pattern(Some(format!(r"^(?:\s*|{PHONE})$")))
        .into()
}

/// An assigned ISO 3166-1 alpha-2 code in any letter case ([`super::country::parse`]).
pub fn country() -> Schema {
    let codes: Vec<&str> = super::country::codes().collect();
    any_case_of(&codes)
}

/// A slug ([`super::catalog::Slug`]): lowercase letters, digits and single inner hyphens.
pub fn slug() -> Schema {
    slug_schema(false)
}

/// [`slug`], or `null`.
pub fn slug_or_null() -> Schema {
    slug_schema(true)
}

fn slug_schema(nullable: bool) -> Schema {
    matching(
        "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        super::catalog::MAX_SLUG,
        nullable,
    )
}

/// A sku ([`super::catalog::Sku`]): 1 to 64 letters, digits, `-`, `_` or `.` in any case.
pub fn sku() -> Schema {
    string(false)
        .pattern(Some(r"^\s*[A-Za-z0-9._-]{1,64}\s*$".to_owned()))
        .into()
}

/// A coupon code ([`super::coupon::parse_code`]): 3 to 32 letters, digits or dashes, any case.
pub fn coupon_code() -> Schema {
    coupon_code_schema(false)
}

/// [`coupon_code`], or `null` (one is generated).
pub fn coupon_code_or_null() -> Schema {
    coupon_code_schema(true)
}

fn coupon_code_schema(nullable: bool) -> Schema {
    string(nullable)
        .pattern(Some(r"^\s*[A-Za-z0-9-]{3,32}\s*$".to_owned()))
        .into()
}

/// A phone number, or `null`.
pub fn phone_or_null() -> Schema {
    string(true).pattern(Some(format!("^{PHONE}$"))).into()
}

/// A schema written out as JSON (for what utoipa's builders do not cover, such as
/// `propertyNames`).
fn from_json(v: serde_json::Value) -> Schema {
    serde_json::from_value(v).expect("a valid schema")
}

fn text_json(max: usize) -> serde_json::Value {
    let Schema::Object(o) = text_with(max) else {
        unreachable!("text is an object schema")
    };
    serde_json::to_value(o).expect("a schema serializes")
}

fn text_with(max: usize) -> Schema {
    text_schema(max, false)
}

fn text_schema(max: usize, nullable: bool) -> Schema {
    string(nullable)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(format!(
            "^[^{NOT_IN_TEXT}]*[^\\s{NOT_IN_TEXT}][^{NOT_IN_TEXT}]*$"
        )))
        .into()
}

fn tags_json(nullable: bool) -> Schema {
    let ty = if nullable {
        serde_json::json!(["array", "null"])
    } else {
        serde_json::json!("array")
    };
    from_json(serde_json::json!({"type": ty, "maxItems": 20, "items": text_json(40)}))
}

/// A product's tags: at most 20, each 1 to 40 characters.
pub fn tags() -> Schema {
    tags_json(false)
}

/// [`tags`], or `null`.
pub fn tags_or_null() -> Schema {
    tags_json(true)
}

fn attributes_json(nullable: bool) -> Schema {
    let ty = if nullable {
        serde_json::json!(["object", "null"])
    } else {
        serde_json::json!("object")
    };
    from_json(serde_json::json!({
        "type": ty,
        "maxProperties": 20,
        "propertyNames": text_json(50),
        "additionalProperties": text_json(200),
    }))
}

/// A variant's attributes: at most 20, names 1 to 50 and values 1 to 200 characters.
pub fn attributes() -> Schema {
    attributes_json(false)
}

/// [`attributes`], or `null`.
pub fn attributes_or_null() -> Schema {
    attributes_json(true)
}

/// Skus of a bundle: 3 to 20 ([`super::catalog::Sku`] each), `null` where `nullable`.
fn skus_json(nullable: bool) -> Schema {
    let Schema::Object(one) = sku() else {
        unreachable!("a sku is an object schema")
    };
    let ty = if nullable {
        serde_json::json!(["array", "null"])
    } else {
        serde_json::json!("array")
    };
    from_json(serde_json::json!({
        "type": ty, "minItems": 3, "maxItems": 20, "uniqueItems": true,
        "items": serde_json::to_value(one).expect("a schema serializes"),
    }))
}

/// A bundle's skus.
pub fn bundle_skus() -> Schema {
    skus_json(false)
}

/// [`bundle_skus`], or `null`.
pub fn bundle_skus_or_null() -> Schema {
    skus_json(true)
}

/// A product's image ids in the order to show them: ULIDs, each once, at most 10.
pub fn image_ids() -> Schema {
    from_json(serde_json::json!({
        "type": "array", "maxItems": 10, "uniqueItems": true,
        "items": {"type": "string", "pattern": "^[0-9A-HJKMNP-TV-Z]{26}$"},
    }))
}

/// An RFC 3339 time, or `null`.
pub fn time_or_null() -> Schema {
    string(true)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .into()
}

/// One of `words`, in any letter case, spaces around allowed (as parsers that trim and
/// lower-case them read it).
pub fn any_case_of(words: &[&str]) -> Schema {
    let any_case = |w: &&str| -> String {
        w.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
                } else if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("\\{c}")
                }
            })
            .collect()
    };
    let words: Vec<String> = words.iter().map(any_case).collect();
    string(false)
        .pattern(Some(format!(r"^\s*(?:{})\s*$", words.join("|"))))
        .into()
}

/// An image type an upload may have ([`crate::catalog`] reads it in any case).
pub fn image_content_type() -> Schema {
    any_case_of(&["image/jpeg", "image/png", "image/webp"])
}

/// A currency Stripe charges in ([`super::currency::parse`]), any letter case.
pub fn currency() -> Schema {
    any_case_of(super::currency::codes())
}

/// An email address ([`email`]), `null`, or blank (none).
pub fn email_or_blank() -> Schema {
    let Schema::Object(email) = email_schema(true) else {
        unreachable!("an email is an object schema")
    };
    let pattern = email.pattern.clone().unwrap_or_default();
    string(true)
        .max_length(Some(254))
        .pattern(Some(format!(r"^\s*$|{pattern}")))
        .into()
}
