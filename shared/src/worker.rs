//! The SQS-triggered worker: takes a batch of queue messages, does each one's job, and
//! reports the ones that failed so that only those are redelivered (ReportBatchItemFailures).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use time::OffsetDateTime;

use crate::accounts;
use crate::domain::Email;
use crate::notify::{self, EmailKind, EmailMessage, Envelope, Job};
use crate::orders::payment;
use crate::state::{AppState, Need};
use crate::store::idempotency::{self, IdempotencyError, NextAction, Saved};
use crate::store::one_time_tokens::{self, Purpose};
use crate::store::{StoreError, users};

/// The clients the worker uses.
pub const NEEDS: &[Need] = &[
    Need::TableWrite,
    Need::Queue,
    Need::DeadLetters,
    Need::Blobs,
    Need::Mailer,
    Need::Links,
    Need::Stripe,
];

#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    #[error("the message is not a valid envelope: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the email template failed to render: {0}")]
    Render(#[from] minijinja::Error),
    #[error(transparent)]
    Send(#[from] notify::SendError),
    #[error("another delivery of this message is being processed")]
    InProgress,
    #[error("the message cannot be claimed: {0}")]
    Claim(IdempotencyError),
    #[error("the order follow-up failed: {0}")]
    Order(String),
}

impl From<crate::error::ApiError> for WorkError {
    fn from(e: crate::error::ApiError) -> Self {
        Self::Order(format!("{} ({e:?})", e.code()))
    }
}

/// Processes a batch and returns the ids of the messages to be retried.
pub async fn handle(state: &AppState, event: SqsEvent) -> SqsBatchResponse {
    crate::aws::each_sqs_message(event, |_, body| async move { process(state, &body).await }).await
}

/// Does the job of one message body. A body that is not an envelope of a known job would
/// fail the same way on every delivery: it goes to the dead-letter queue at once (with a log
/// line), where `shopctl dlq` shows it, rather than being retried five times.
pub async fn process(state: &AppState, body: &str) -> Result<(), WorkError> {
    let envelope: Envelope = match serde_json::from_str(body) {
        Ok(envelope) => envelope,
        Err(unreadable) => {
            tracing::error!(error = %unreadable, "an unreadable message goes to the dead-letter queue");
            return dead_letter(state, body).await.map_err(|e| {
                tracing::error!(error = %e, "the dead-letter queue refused it; it will be retried");
                WorkError::Malformed(unreadable)
            });
        }
    };
    match envelope.job {
        Job::Email(EmailMessage { to, kind }) => {
            send_once(state, &envelope.id, &to, || async { Ok(kind) }).await
        }
        Job::PasswordResetRequest { email } => {
            send_password_reset(state, &envelope.id, email).await
        }
        Job::StripeEvent {
            event_id,
            kind,
            object,
        } => apply_stripe_event(state, &event_id, &kind, &object).await,
        Job::ClosePayment { order_id } => close_payment(state, &order_id).await,
        Job::Event(event) => on_event(state, &event).await,
        Job::WebhookDelivery {
            subscription_id,
            event_id,
            attempt,
            not_before,
        } => crate::webhooks::deliver(state, &subscription_id, &event_id, attempt, &not_before)
            .await
            .map_err(|e| WorkError::Order(e.to_string())),
        Job::SyncProduct { product_id } => {
            let synced = crate::catalog::stripe_sync::sync(state, &product_id).await?;
            tracing::info!(product = product_id, ?synced, "product mirrored to Stripe");
            Ok(())
        }
    }
}

/// An event: counted in the analytics and handed to the webhook subscriptions that want it,
/// each once per event id.
async fn on_event(state: &AppState, event: &notify::Event) -> Result<(), WorkError> {
    let counted = crate::analytics::count(state, event).await?;
    crate::invoices::on_event(state, event)
        .await
        .map_err(|e| WorkError::Order(e.to_string()))?;
    let queued = crate::webhooks::fan_out(state, event)
        .await
        .map_err(|e| WorkError::Order(e.to_string()))?;
    tracing::info!(
        event = event.id,
        kind = event.kind.name(),
        counted,
        deliveries = queued,
        "event handled"
    );
    Ok(())
}

async fn dead_letter(state: &AppState, body: &str) -> Result<(), String> {
    state.dead_letters().send(body.to_owned()).await
}

/// Closes a given-up order's payment at Stripe. Stripe unreachable: retried (the message
/// fails). Stripe refusing (the PaymentIntent was paid just before): nothing more to do here,
/// the payment's own event takes the late-payment path.
async fn close_payment(state: &AppState, order_id: &str) -> Result<(), WorkError> {
    let Some(mut order) = crate::store::orders::get(state.reader(), order_id).await? else {
        return Ok(());
    };
    match crate::orders::refund::close_payment(state, &mut order).await {
        Ok(()) => {
            tracing::info!(order = order_id, "the given-up order's payment is closed");
            Ok(())
        }
        Err(err) if err.is_transient() => Err(WorkError::Order(err.to_string())),
        Err(err) => {
            tracing::warn!(error = %err, order = order_id, "Stripe refused to close the payment; a payment that arrives takes the late path");
            Ok(())
        }
    }
}

/// Applies a Stripe event to its order and sends the emails it calls for (each once).
async fn apply_stripe_event(
    state: &AppState,
    event_id: &str,
    kind: &str,
    object: &serde_json::Value,
) -> Result<(), WorkError> {
    let Some(fact) = payment::fact_of(state, kind, object).await? else {
        tracing::info!(
            event = event_id,
            kind,
            "a Stripe event for no order of this shop; nothing to do"
        );
        return Ok(());
    };
    let Some(applied) = payment::apply(state, &fact).await? else {
        tracing::info!(
            event = event_id,
            order = fact.order_id(),
            "no such order; nothing to do"
        );
        return Ok(());
    };
    tracing::info!(event = event_id, order = applied.order.id, status = ?applied.order.status, made_paid = applied.made_paid, "Stripe event applied");
    for mail in applied.mails {
        let kind = mail.kind;
        send_once(state, &mail.key, &mail.to, || async { Ok(kind) }).await?;
    }
    // On the queue like any route's: each is handled once by its id.
    notify::publish(state.queue(), applied.events).await;
    Ok(())
}

/// Mails a reset link if the address has an account (one that can sign in with a password
/// or not: a reset gives a Google-only account a password). Unknown addresses get nothing.
async fn send_password_reset(state: &AppState, id: &str, email: Email) -> Result<(), WorkError> {
    let table = state.table();
    let Some(user) = users::by_email(table, &email).await? else {
        tracing::info!(
            message = id,
            "password reset for an unknown address; nothing sent"
        );
        return Ok(());
    };
    // To the address on the account, whatever letter case the request used.
    let to = Email::parse(&user.email).unwrap_or(email);
    // The token is made only once the email is claimed, so a redelivery makes none.
    send_once(state, id, &to, || async {
        let expires = OffsetDateTime::now_utc()
            + time::Duration::hours(i64::from(accounts::PASSWORD_RESET_HOURS));
        let token = one_time_tokens::issue(
            table,
            Purpose::PasswordReset,
            &user.id,
            user.token_version,
            expires,
        )
        .await?;
        Ok(EmailKind::PasswordReset {
            link: format!("{}/reset-password?token={token}", state.public_base_url()),
            expires_in_hours: accounts::PASSWORD_RESET_HOURS,
        })
    })
    .await
}

/// Sends an email at most once per envelope id, however often the message is delivered.
/// `compose` runs only when this delivery has claimed the email.
async fn send_once<F, Fut>(
    state: &AppState,
    id: &str,
    to: &Email,
    compose: F,
) -> Result<(), WorkError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<EmailKind, WorkError>>,
{
    let table = state.table();
    let scope = &idempotency::EMAIL;
    let fingerprint = idempotency::fingerprint(&[id.as_bytes()]);
    match idempotency::try_start(table, scope, id, &fingerprint, OffsetDateTime::now_utc()).await {
        Ok(NextAction::ReturnSaved(_)) => {
            tracing::info!(message = id, "email already sent; redelivery ignored");
            Ok(())
        }
        Err(IdempotencyError::InProgress) => Err(WorkError::InProgress),
        Err(err) => Err(WorkError::Claim(err)),
        Ok(NextAction::StartProcessing) => {
            let sent = async {
                let rendered = compose().await?.render(&state.mailer().shop_name)?;
                Ok::<_, WorkError>(notify::send_email(state.mailer(), to, &rendered).await?)
            };
            match sent.await {
                Ok(provider_id) => {
                    let saved = Saved {
                        status: 200,
                        body: provider_id,
                    };
                    idempotency::save(table, scope, id, &saved).await?;
                    tracing::info!(message = id, to = %to.redacted(), "email sent");
                    Ok(())
                }
                Err(err) => {
                    idempotency::release(table, scope, id).await?;
                    Err(err)
                }
            }
        }
    }
}
