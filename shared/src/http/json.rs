//! The JSON body extractor every route uses, so that malformed JSON (400), a wrong content
//! type (415), an oversized body (413) and a body of the wrong shape (422) are answered the
//! same way everywhere, as problem documents.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Request bodies larger than this are refused with 413 (API.md: 64 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON request body or response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = bytes::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection.status().as_u16() {
                413 => ApiError::PayloadTooLarge { limit: BODY_LIMIT },
                _ => ApiError::MalformedJson(rejection.body_text()),
            })?;
        parse(&bytes).map(Json)
    }
}

/// Parses a JSON body: a syntax error is 400, a value of the wrong shape is 422 naming the field.
///
/// The body is first read as JSON of any shape, so that what is malformed anywhere in it
/// (invalid UTF-8, a truncated body) is 400 even where the shape check would stop earlier, at an
/// unknown first field of a route that denies unknown fields.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(ApiError::MalformedJson(format!(
            "the body is not UTF-8: {e}"
        )));
    }
    let mut value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    // Every body is an object: serde would read a struct from an array of its fields in order.
    if !value.is_object() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "body",
            "must be a JSON object",
        )]));
    }
    // JSON has one number type: `2.0` is the integer 2 (as JSON Schema says), not a refusal.
    integral_floats_as_integers(&mut value);
    // The body is well-formed JSON (checked above), so whatever the typed pass refuses is a
    // value of the wrong shape or type, a 422 naming the field, even where serde_json calls it
    // a syntax error (a `null` or a number where an enum's name belongs).
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::Validation(vec![FieldError::new(field, strip_position(&inner))])
    })
}

fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(members) => members.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(Ok(value)) = content_type.map(|v| v.to_str()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        quantity: u8,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        name: Option<String>,
    }

    #[test]
    fn malformed_is_400_whatever_the_shape_check_would_say_first() {
        // Truncated, with an unknown first field, on a type that denies unknown fields.
        assert!(matches!(
            parse::<Strict>(b"{\"nope\": 1, \"name\": \"A"),
            Err(ApiError::MalformedJson(_))
        ));
        // Invalid UTF-8 inside a field the type ignores, and inside one it reads.
        assert!(matches!(
            parse::<Body>(b"{\"quantity\": 1, \"note\": \"\xff\xfe\"}"),
            Err(ApiError::MalformedJson(_))
        ));
        assert!(matches!(
            parse::<Strict>(b"{\"name\": \"\xc3\"}"),
            Err(ApiError::MalformedJson(_))
        ));
        // Well-formed JSON with an unknown field is still a shape error.
        assert!(matches!(
            parse::<Strict>(b"{\"nope\": 1}"),
            Err(ApiError::Validation(_))
        ));
    }

    #[test]
    fn syntax_errors_are_malformed_and_shape_errors_name_the_field() {
        assert!(matches!(
            parse::<Body>(b"{\"quantity\": "),
            Err(ApiError::MalformedJson(_))
        ));
        match parse::<Body>(b"{\"quantity\": 300}") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "quantity"),
            other => panic!("expected a validation error, got {other:?}"),
        }
        match parse::<Body>(b"{}") {
            Err(ApiError::Validation(errors)) => assert!(errors[0].message.contains("quantity")),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    enum Role {
        #[serde(rename = "customer")]
        Customer,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct WithEnum {
        role: Role,
        name: String,
    }

    #[test]
    fn a_wrong_type_for_an_enum_is_422_naming_the_field_not_malformed() {
        for body in [
            &b"{\"role\": null, \"name\": \"a\"}"[..],
            b"{\"role\": 1, \"name\": \"a\"}",
            b"{\"role\": [], \"name\": \"a\"}",
            b"{\"role\": {}, \"name\": \"a\"}",
            b"{\"role\": \"boss\", \"name\": \"a\"}",
        ] {
            match parse::<WithEnum>(body) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "role"),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_that_number() {
        assert!(matches!(
            parse::<Body>(b"{\"quantity\": 3.0}"),
            Ok(Body { quantity: 3 })
        ));
        match parse::<Body>(b"{\"quantity\": 3.5}") {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "quantity"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_array_or_a_scalar_in_place_of_the_object_is_422() {
        for body in [
            &b"[\"customer\", \"a\"]"[..],
            b" [\"customer\", \"a\"]",
            b"\"x\"",
            b"1",
            b"null",
        ] {
            match parse::<WithEnum>(body) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "body"),
                other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
        assert!(parse::<WithEnum>(b" {\"role\": \"customer\", \"name\": \"a\"}").is_ok());
    }

    #[test]
    fn accepts_json_media_types_only() {
        let json = |v: &'static str| is_json(Some(&HeaderValue::from_static(v)));
        assert!(json("application/json"));
        assert!(json("Application/JSON; charset=utf-8"));
        assert!(json("application/merge-patch+json"));
        assert!(!json("text/plain"));
        assert!(!json("application/x-www-form-urlencoded"));
        assert!(!is_json(None));
    }
}
