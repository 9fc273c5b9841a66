//! The sent-marker's conditional writes, against DynamoDB Local.

use shop::store::email_marker::{self, CLAIM_LEASE, Claim};
use time::OffsetDateTime;

use crate::helpers::{TestApp, unique};

#[tokio::test]
async fn a_claim_is_held_until_sent_and_then_refused_for_good() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::Acquired
    );
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::InProgress
    );
    email_marker::mark_sent(table, &id, "ses-id").await.unwrap();
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::AlreadySent
    );
    // Even long after, a sent email is never claimed again.
    let later = now + CLAIM_LEASE * 10;
    assert_eq!(
        email_marker::claim(table, &id, later).await.unwrap(),
        Claim::AlreadySent
    );
}

#[tokio::test]
async fn an_abandoned_claim_is_taken_over_after_its_lease() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::Acquired
    );
    let within = now + CLAIM_LEASE / 2;
    assert_eq!(
        email_marker::claim(table, &id, within).await.unwrap(),
        Claim::InProgress
    );
    let after = now + CLAIM_LEASE + time::Duration::seconds(1);
    assert_eq!(
        email_marker::claim(table, &id, after).await.unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn a_released_claim_can_be_taken_at_once() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::Acquired
    );
    email_marker::release(table, &id).await.unwrap();
    assert_eq!(
        email_marker::claim(table, &id, now).await.unwrap(),
        Claim::Acquired
    );
}

#[tokio::test]
async fn concurrent_claims_let_exactly_one_through() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table().clone();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (table, id) = (table.clone(), id.clone());
            tokio::spawn(async move { email_marker::claim(&table, &id, now).await.unwrap() })
        })
        .collect();
    let mut acquired = 0;
    for t in tasks {
        if t.await.unwrap() == Claim::Acquired {
            acquired += 1;
        }
    }
    assert_eq!(acquired, 1);
}
