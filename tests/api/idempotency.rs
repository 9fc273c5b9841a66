//! The idempotency module's conditional writes, against DynamoDB Local: the worker's email
//! claims (scope `EMAIL`, keyed by envelope id) and the request-key pattern checkout and
//! refunds will use (claim, process, save; or the saved answer).

use std::time::Duration;

use shop::aws::Table;
use shop::store::idempotency::{
    self, EMAIL, IdempotencyError, NextAction, Saved, Scope, fingerprint,
};
use time::OffsetDateTime;

use crate::helpers::{TestApp, unique};

const CLAIM_LEASE: Duration = EMAIL.lease;

/// What the worker's email claim answers, in the words the sent-marker used.
#[derive(Debug, PartialEq, Eq)]
enum Claim {
    Acquired,
    AlreadySent,
    InProgress,
}

/// Claims an email as the worker does (the envelope id is the key and the request).
async fn claim(table: &Table, id: &str, now: OffsetDateTime) -> Claim {
    match idempotency::try_start(table, &EMAIL, id, &fingerprint(&[id.as_bytes()]), now).await {
        Ok(NextAction::StartProcessing) => Claim::Acquired,
        Ok(NextAction::ReturnSaved(_)) => Claim::AlreadySent,
        Err(IdempotencyError::InProgress) => Claim::InProgress,
        Err(e) => panic!("unexpected {e:?}"),
    }
}

async fn mark_sent(table: &Table, id: &str, provider_id: &str) {
    let saved = Saved {
        status: 200,
        body: provider_id.to_owned(),
    };
    idempotency::save(table, &EMAIL, id, &saved).await.unwrap();
}

#[tokio::test]
async fn a_claim_is_held_until_sent_and_then_refused_for_good() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(claim(table, &id, now).await, Claim::Acquired);
    assert_eq!(claim(table, &id, now).await, Claim::InProgress);
    mark_sent(table, &id, "ses-id").await;
    assert_eq!(claim(table, &id, now).await, Claim::AlreadySent);
    // Even long after, a sent email is never claimed again.
    let later = now + CLAIM_LEASE * 10;
    assert_eq!(claim(table, &id, later).await, Claim::AlreadySent);
}

#[tokio::test]
async fn an_abandoned_claim_is_taken_over_after_its_lease() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(claim(table, &id, now).await, Claim::Acquired);
    let within = now + CLAIM_LEASE / 2;
    assert_eq!(claim(table, &id, within).await, Claim::InProgress);
    let after = now + CLAIM_LEASE + time::Duration::seconds(1);
    assert_eq!(claim(table, &id, after).await, Claim::Acquired);
}

#[tokio::test]
async fn a_released_claim_can_be_taken_at_once() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let id = unique();
    let now = OffsetDateTime::now_utc();
    assert_eq!(claim(table, &id, now).await, Claim::Acquired);
    idempotency::release(table, &EMAIL, &id).await.unwrap();
    assert_eq!(claim(table, &id, now).await, Claim::Acquired);
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
            tokio::spawn(async move { claim(&table, &id, now).await })
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

/// A checkout-like scope: short lease, kept a day.
const REQUESTS: Scope = Scope {
    name: "test-requests",
    lease: Duration::from_secs(30),
    keep_for: Duration::from_secs(24 * 3600),
};

#[tokio::test]
async fn concurrent_requests_with_one_key_process_once_and_all_get_the_first_answer() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table().clone();
    let key = unique();
    let fp = fingerprint(&[b"user-1", br#"{"cart":"c1"}"#]);
    let processed = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let (table, key, fp, processed) =
                (table.clone(), key.clone(), fp.clone(), processed.clone());
            tokio::spawn(async move {
                let mut saw_in_progress = false;
                loop {
                    let now = OffsetDateTime::now_utc();
                    match idempotency::try_start(&table, &REQUESTS, &key, &fp, now).await {
                        Ok(NextAction::StartProcessing) => {
                            processed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            // The work takes a while; the others arrive meanwhile.
                            tokio::time::sleep(Duration::from_millis(300)).await;
                            let saved = Saved {
                                status: 201,
                                body: format!("order made by request {i}"),
                            };
                            idempotency::save(&table, &REQUESTS, &key, &saved)
                                .await
                                .unwrap();
                            return (saved, saw_in_progress);
                        }
                        Ok(NextAction::ReturnSaved(saved)) => return (saved, saw_in_progress),
                        // What a route answers with 409; the client retries.
                        Err(IdempotencyError::InProgress) => {
                            saw_in_progress = true;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        Err(e) => panic!("unexpected {e:?}"),
                    }
                }
            })
        })
        .collect();
    let mut answers = Vec::new();
    let mut waited = 0;
    for t in tasks {
        let (saved, saw_in_progress) = t.await.unwrap();
        waited += u32::from(saw_in_progress);
        answers.push(saved);
    }
    assert_eq!(processed.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert!(
        waited >= 1,
        "the others met the claim while it was in progress"
    );
    assert_eq!(answers[0].status, 201);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused_and_never_answered() {
    let app = TestApp::spawn().await;
    let table = app.shop.state.table();
    let key = unique();
    let now = OffsetDateTime::now_utc();
    let first = fingerprint(&[b"user-1", b"body one"]);
    let other = fingerprint(&[b"user-1", b"body two"]);
    assert_eq!(
        idempotency::try_start(table, &REQUESTS, &key, &first, now)
            .await
            .unwrap(),
        NextAction::StartProcessing
    );
    // While the first is in progress, and after it is done.
    assert!(matches!(
        idempotency::try_start(table, &REQUESTS, &key, &other, now).await,
        Err(IdempotencyError::KeyReused)
    ));
    let saved = Saved {
        status: 201,
        body: "first".into(),
    };
    idempotency::save(table, &REQUESTS, &key, &saved)
        .await
        .unwrap();
    assert!(matches!(
        idempotency::try_start(table, &REQUESTS, &key, &other, now).await,
        Err(IdempotencyError::KeyReused)
    ));
    assert_eq!(
        idempotency::try_start(table, &REQUESTS, &key, &first, now)
            .await
            .unwrap(),
        NextAction::ReturnSaved(saved)
    );
    // Once the record has expired the key is free again, for any request.
    let after = now + REQUESTS.keep_for + Duration::from_secs(1);
    assert_eq!(
        idempotency::try_start(table, &REQUESTS, &key, &other, after)
            .await
            .unwrap(),
        NextAction::StartProcessing
    );
    // The same key in another scope is another key.
    assert_eq!(
        idempotency::try_start(table, &EMAIL, &key, &first, now)
            .await
            .unwrap(),
        NextAction::StartProcessing
    );
    assert!(matches!(
        idempotency::try_start(table, &REQUESTS, "bad key", &first, now).await,
        Err(IdempotencyError::InvalidKey)
    ));
}
