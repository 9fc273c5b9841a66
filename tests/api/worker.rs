//! The worker, fed by the local server's queue poller as Lambda's SQS event source would.

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use shop::domain::Email;
use shop::notify::{EmailKind, EmailMessage, Envelope, Job};

use crate::helpers::{TestApp, unique_email};

fn verification_email(to: &str, link: &str) -> Job {
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
        queue
            .client
            .send_message()
            .queue_url(&*queue.url)
            .message_body(&body)
            .send()
            .await
            .unwrap();
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

#[tokio::test]
async fn a_batch_reports_only_the_messages_that_failed() {
    let app = TestApp::spawn().await;
    let to = unique_email();
    let good = serde_json::to_string(&Envelope::new(verification_email(
        &to,
        "http://127.0.0.1/v?t=1",
    )))
    .unwrap();
    let mut event = SqsEvent::default();
    event.records = vec![
        record("good-1", good),
        record(
            "bad-1",
            "{\"id\": \"x\", \"job\": {\"type\": \"no_such_job\"}}".into(),
        ),
        record("bad-2", "not json".into()),
    ];
    let response = shop::worker::handle(&app.shop.state, event).await;
    let failed: Vec<_> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, vec!["bad-1", "bad-2"]);
    assert_eq!(app.emails_to(&to).await.len(), 1);
}

/// The poller deletes what the worker handled and leaves what failed; a message that keeps
/// failing moves to the dead-letter queue after maxReceiveCount (5) receives, as on AWS.
#[tokio::test]
async fn a_message_that_keeps_failing_ends_in_the_dead_letter_queue() {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let app = TestApp::spawn().await;
    let queue = app.shop.state.queue();
    // This test's own queue redelivers after 1 s instead of 180 s, so 5 receives take seconds.
    queue
        .client
        .set_queue_attributes()
        .queue_url(&*queue.url)
        .attributes(A::VisibilityTimeout, "1")
        .send()
        .await
        .unwrap();
    let to = unique_email();
    let good = serde_json::to_string(&Envelope::new(verification_email(
        &to,
        "http://127.0.0.1/v?t=2",
    )))
    .unwrap();
    for body in [good.as_str(), "{\"not\": \"an envelope\"}"] {
        queue
            .client
            .send_message()
            .queue_url(&*queue.url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    let dlq = &app.shop.dead_letter_queue_url;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let dead = loop {
        let out = queue
            .client
            .receive_message()
            .queue_url(dlq)
            .wait_time_seconds(1)
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
            )
            .send()
            .await
            .unwrap();
        if let Some(m) = out.messages.unwrap_or_default().into_iter().next() {
            break m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing reached the dead-letter queue"
        );
    };
    assert_eq!(dead.body.as_deref(), Some("{\"not\": \"an envelope\"}"));
    app.wait_for_empty_queue(Duration::from_secs(10)).await;
    assert_eq!(
        app.emails_to(&to).await.len(),
        1,
        "the good message was handled once and deleted"
    );
}
