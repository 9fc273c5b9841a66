//! `GET /_local/emails`: every email sent through the local SES (moto), newest first, with
//! its text and HTML parts, so that a person or a test can follow the links inside.
//! `?to=address` keeps only the emails sent to that address.

use std::time::Duration;

use axum::extract::{Query, State};
use axum::response::IntoResponse;
use mail_parser::MessageParser;
use serde::{Deserialize, Serialize};
use shop::ApiError;
use shop::http::Json;

#[derive(Clone)]
pub struct EmailsState {
    pub http: reqwest::Client,
    /// moto's base URL.
    pub moto: String,
}

#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct SentEmail {
    pub id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Deserialize)]
pub struct Filter {
    to: Option<String>,
}

#[derive(Deserialize)]
struct MotoRaw {
    id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    destinations: Vec<String>,
    raw_data: String,
}

/// moto's `/moto-api/data.json`, every model of every service. moto 5.2.5 checks each
/// attribute before it dumps them all, and another request can change an attribute in
/// between (an S3 object's, say): that answer is a 500 ("FakeKey is not JSON serializable",
/// seen in CI while other tests stored invoices). Asking again gets a consistent dump.
async fn moto_data(st: &EmailsState) -> Result<serde_json::Value, ApiError> {
    let url = format!("{}/moto-api/data.json", st.moto);
    let mut last = None;
    for attempt in 0..5u64 {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
        }
        let answer = st.http.get(&url).send().await.map_err(ApiError::internal)?;
        if !answer.status().is_success() {
            last = Some(format!("moto answered {}", answer.status()));
            continue;
        }
        match answer.json().await {
            Ok(data) => return Ok(data),
            Err(e) => last = Some(e.to_string()),
        }
    }
    Err(ApiError::internal(last.unwrap_or_default()))
}

pub async fn list(
    State(st): State<EmailsState>,
    Query(filter): Query<Filter>,
) -> Result<impl IntoResponse, ApiError> {
    let data = moto_data(&st).await?;
    let raws: Vec<MotoRaw> =
        serde_json::from_value(data["ses"]["RawMessage"].clone()).unwrap_or_default();
    let wanted = filter.to.map(|t| t.trim().to_lowercase());
    let mut out: Vec<SentEmail> = raws
        .into_iter()
        .map(parse)
        .filter(|e| {
            wanted
                .as_ref()
                .is_none_or(|w| e.to.iter().any(|t| t.to_lowercase() == *w))
        })
        .collect();
    out.reverse(); // moto keeps send order; newest first
    Ok(Json(out))
}

fn parse(raw: MotoRaw) -> SentEmail {
    let mut to = raw.destinations;
    to.dedup();
    let parsed = MessageParser::default().parse(raw.raw_data.as_bytes());
    let (subject, text, html) = match &parsed {
        Some(m) => (
            m.subject().unwrap_or_default().to_owned(),
            m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    SentEmail {
        id: raw.id,
        from: raw.source,
        to,
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_parts_of_a_mime_email() {
        let mime = mail_builder::MessageBuilder::new()
            .from("shop@example.com")
            .to("a@example.com")
            .subject("Hello")
            .text_body("plain http://x/?t=1")
            .html_body("<p>rich</p>")
            .write_to_string()
            .unwrap();
        let email = parse(MotoRaw {
            id: "1".into(),
            source: "shop@example.com".into(),
            destinations: vec!["a@example.com".into(), "a@example.com".into()],
            raw_data: mime,
        });
        assert_eq!(email.subject, "Hello");
        assert_eq!(email.to, vec!["a@example.com"]);
        assert!(email.text.contains("http://x/?t=1"));
        assert!(email.html.contains("<p>rich</p>"));
    }
}
