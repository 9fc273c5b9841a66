//! The worker, fed by the local server's queue poller as Lambda's SQS event source would.

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use shop::domain::Email;
use shop::notify::{EmailKind, EmailMessage, Envelope, Job};

use crate::helpers::{TestApp, unique_email};

pub(crate) fn verification_email(to: &str, link: &str) -> Job {
    Job::Email(EmailMessage {
        to: Email::parse(to).unwrap(),
        kind: EmailKind::VerifyEmail {
            name: Some("Ada".into()),
            link: link.into(),
            expires_in_hours: 24,
        },
    })
}

#[tokio::test]
async fn an_enqueued_email_is_sent_with_text_and_html_parts() {
    let app = TestApp::spawn().await;
    let to = unique_email();
    let link = format!("{}/verify-email?token=abc123", app.shop.base_url);
    shop::notify::enqueue(app.shop.state.queue(), verification_email(&to, &link))
        .await
        .unwrap();

    let emails = app.wait_for_emails(&to, 1, Duration::from_secs(15)).await;
    assert_eq!(emails.len(), 1, "{emails:?}");
    let email = &emails[0];
    assert_eq!(email.subject, "Confirm your email address for Test Shop");
    assert_eq!(email.from, "shop@example.com");
    assert!(email.text.contains(&link), "text part: {}", email.text);
    assert!(email.html.contains(&link), "html part: {}", email.html);
    assert!(email.text.contains("Hello Ada"));
}

#[tokio::test]
async fn a_message_delivered_twice_sends_one_email() {
    let app = TestApp::spawn().await;
    let to = unique_email();
    let envelope = Envelope::new(verification_email(
        &to,
        "http://127.0.0.1/verify?token=once",
    ));
    let body = serde_json::to_string(&envelope).unwrap();
    let queue = app.shop.state.queue();
    // The same message twice, as SQS's at-least-once delivery may hand it over.
    for _ in 0..2 {
        queue.send(body.clone()).await.unwrap();
    }
    app.wait_for_emails(&to, 1, Duration::from_secs(15)).await;
    app.wait_for_empty_queue(Duration::from_secs(15)).await;
    let emails = app.emails_to(&to).await;
    assert_eq!(emails.len(), 1, "sent {} times: {emails:?}", emails.len());
}

fn record(id: &str, body: String) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.to_owned());
    m.body = Some(body);
    m
}

/// The first message received from the dead-letter queue within `wait`.
pub(crate) async fn first_dead_letter(app: &TestApp, wait: Duration) -> Option<String> {
    let sqs = app.sqs().await;
    let deadline = tokio::time::Instant::now() + wait;
    while tokio::time::Instant::now() < deadline {
        let out = sqs
            .receive_message()
            .queue_url(&app.shop.dead_letter_queue_url)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        if let Some(m) = out.messages.unwrap_or_default().into_iter().next() {
            return m.body;
        }
    }
    None
}

/// A message the worker cannot read is not retried: it goes to the dead-letter queue at once,
/// and the rest of its batch is done.
#[tokio::test]
async fn an_unreadable_message_goes_to_the_dead_letter_queue_at_once() {
    let app = TestApp::spawn().await;
    let to = unique_email();
    let good = serde_json::to_string(&Envelope::new(verification_email(
        &to,
        "http://127.0.0.1/v?t=1",
    )))
    .unwrap();
    let mut event = SqsEvent::default();
    let unknown_job = "{\"id\": \"x\", \"job\": {\"type\": \"no_such_job\"}}";
    event.records = vec![record("good-1", good), record("bad-1", unknown_job.into())];
    let state = app.shop.state.only(shop::worker::NEEDS);
    let response = shop::worker::handle(&state, event).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "nothing to retry: {:?}",
        response.batch_item_failures
    );
    assert_eq!(app.emails_to(&to).await.len(), 1);
    assert_eq!(
        first_dead_letter(&app, Duration::from_secs(5))
            .await
            .as_deref(),
        Some(unknown_job)
    );
}

/// `shopctl dlq`: the operator lists the dead letters and re-drives one to the work queue.
/// (An unreadable message is dead-lettered again at once by the worker, which shows it came
/// back and went through the worker.)
#[tokio::test]
async fn shopctl_lists_and_redrives_dead_letters() {
    let app = TestApp::spawn().await;
    let queue = app.shop.state.queue();
    let body = format!("{{\"unreadable\": \"{}\"}}", crate::helpers::unique());
    queue.send(body.clone()).await.unwrap();
    let services =
        crate::helpers::env_or("TEST_AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:15050");
    let (work, dlq) =
        shopctl::connect_queues(&queue.url, &app.shop.dead_letter_queue_url, Some(&services))
            .await
            .unwrap();
    let listed = crate::helpers::eventually(|| async {
        let listed = shopctl::dlq::list(&dlq).await.unwrap();
        if listed.is_empty() {
            Err("no dead letter yet".to_owned())
        } else {
            Ok(listed)
        }
    })
    .await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].body, body);
    // Listing leaves it there.
    assert_eq!(shopctl::dlq::list(&dlq).await.unwrap().len(), 1);
    let redriven = shopctl::dlq::redrive(&dlq, &work, Some(&listed[0].id))
        .await
        .unwrap();
    assert_eq!(redriven.len(), 1);
    // Back through the worker, which dead-letters it again: a new message with the same body.
    let again = crate::helpers::eventually(|| async {
        let listed = shopctl::dlq::list(&dlq).await.unwrap();
        match listed.first() {
            Some(l) if l.id != listed_id(&redriven) => Ok(l.clone()),
            _ => Err(format!("not back yet: {listed:?}")),
        }
    })
    .await;
    assert_eq!(again.body, body);
    // Another id re-drives nothing.
    assert!(
        shopctl::dlq::redrive(&dlq, &work, Some("no-such-id"))
            .await
            .unwrap()
            .is_empty()
    );
}

fn listed_id(letters: &[shopctl::dlq::DeadLetter]) -> String {
    letters[0].id.clone()
}
