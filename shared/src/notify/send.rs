//! Sends a rendered email through SES v2 as a MIME message with a text and an HTML part.

use mail_builder::MessageBuilder;

use super::email::RenderedEmail;
use crate::aws::Mailer;
use crate::domain::Email;

#[derive(Debug, thiserror::Error)]
#[error("SES did not send the email: {0}")]
pub struct SendError(String);

/// Sends one email and returns SES's message id.
pub async fn send_email(
    mailer: &Mailer,
    to: &Email,
    email: &RenderedEmail,
) -> Result<String, SendError> {
    let mime = MessageBuilder::new()
        .from(&*mailer.from)
        .to(to.as_str())
        .subject(email.subject.as_str())
        .text_body(email.text.as_str())
        .html_body(email.html.as_str())
        .write_to_vec()
        .map_err(|e| SendError(e.to_string()))?;
    mailer.send_raw(to.as_str(), &mime).await.map_err(SendError)
}
