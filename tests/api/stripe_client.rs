//! The Stripe client against localstripe over its real HTTP API: PaymentIntents paid, declined,
//! read back and cancelled; refunds; Checkout Sessions made, paid and expired (through the
//! project's localstripe plugin); Stripe's error bodies as typed errors.

use shop::stripe::{
    NewCheckoutSession, NewPaymentIntent, Payments, SessionLine, Stripe, StripeError,
};

use crate::helpers::env_or;

fn stripe() -> Stripe {
    Stripe::new(
        &env_or("TEST_STRIPE_API_BASE", "http://127.0.0.1:18420"),
        "sk_test_shop",
    )
}

fn key() -> String {
    ulid::Ulid::new().to_string()
}

#[tokio::test]
async fn a_payment_intent_is_paid_read_back_and_refunded_in_parts() {
    let stripe = stripe();
    let paid = stripe
        .create_payment_intent(
            &NewPaymentIntent {
                amount: 4497,
                currency: "gbp",
                metadata: &[("order_id", "01ORDER")],
                payment_method: Some("pm_card_visa"),
                confirm: true,
            },
            &key(),
        )
        .await
        .unwrap();
    assert_eq!((paid.amount, paid.status.as_str()), (4497, "succeeded"));
    assert!(paid.client_secret.is_some());
    let read = stripe.retrieve_payment_intent(&paid.id).await.unwrap();
    assert_eq!(read.metadata["order_id"], "01ORDER");
    assert_eq!(read.status, "succeeded");

    let first = stripe.create_refund(&paid.id, 1000, &key()).await.unwrap();
    assert_eq!(first.amount, 1000);
    let rest = stripe.create_refund(&paid.id, 3497, &key()).await.unwrap();
    assert_eq!(rest.amount, 3497);
}

#[tokio::test]
async fn a_declined_card_and_an_unknown_intent_are_typed_errors() {
    let stripe = stripe();
    let declined = stripe
        .create_payment_intent(
            &NewPaymentIntent {
                amount: 1000,
                currency: "gbp",
                metadata: &[],
                payment_method: Some("pm_card_chargeCustomerFail"),
                confirm: true,
            },
            &key(),
        )
        .await
        .unwrap_err();
    match &declined {
        StripeError::Api { status, code, .. } => {
            assert_eq!(*status, 402);
            assert_eq!(code.as_deref(), Some("card_declined"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!declined.is_transient());
    let missing = stripe.retrieve_payment_intent("pi_nope").await.unwrap_err();
    assert!(
        matches!(missing, StripeError::Api { status: 404, .. }),
        "{missing:?}"
    );
}

#[tokio::test]
async fn an_unpaid_intent_is_cancelled_and_an_unreachable_stripe_is_transient() {
    let stripe = stripe();
    let open = stripe
        .create_payment_intent(
            &NewPaymentIntent {
                amount: 2500,
                currency: "gbp",
                metadata: &[("order_id", "01OTHER")],
                payment_method: None,
                confirm: false,
            },
            &key(),
        )
        .await
        .unwrap();
    assert_eq!(open.status, "requires_payment_method");
    let cancelled = stripe
        .cancel_payment_intent(&open.id, &key())
        .await
        .unwrap();
    assert_eq!(cancelled.status, "canceled");

    // Nothing listens on port 9 of the loopback address.
    let down = Stripe::new("http://127.0.0.1:9", "sk_test_shop");
    let err = down.retrieve_payment_intent(&open.id).await.unwrap_err();
    assert!(
        matches!(err, StripeError::Transport(_)) && err.is_transient(),
        "{err:?}"
    );
}

fn session_lines() -> Vec<SessionLine> {
    vec![
        SessionLine {
            name: "Mug".into(),
            unit_amount: 1250,
            quantity: 2,
            price: None,
        },
        SessionLine {
            name: "Delivery".into(),
            unit_amount: 499,
            quantity: 1,
            price: None,
        },
    ]
}

async fn new_session(
    stripe: &Stripe,
    lines: &[SessionLine],
    expires_in: i64,
) -> Result<shop::stripe::CheckoutSession, StripeError> {
    stripe
        .create_checkout_session(
            &NewCheckoutSession {
                currency: "gbp",
                lines,
                success_url: "http://127.0.0.1:3000/paid",
                cancel_url: "http://127.0.0.1:3000/cart",
                expires_at: time::OffsetDateTime::now_utc().unix_timestamp() + expires_in,
                client_reference_id: "01ORDER",
                customer_email: "ada@example.com",
                metadata: &[("order_id", "01ORDER")],
            },
            &key(),
        )
        .await
}

#[tokio::test]
async fn a_checkout_session_is_made_paid_on_its_page_and_another_expired() {
    let stripe = stripe();
    let lines = session_lines();
    let session = new_session(&stripe, &lines, 31 * 60).await.unwrap();
    assert_eq!(
        (session.status.as_str(), session.payment_status.as_str()),
        ("open", "unpaid")
    );
    assert_eq!(session.amount_total, Some(2999));
    assert_eq!(session.client_reference_id.as_deref(), Some("01ORDER"));
    let url = session.url.clone().unwrap();
    // The plugin's hosted page pays it with a test card, as a buyer would.
    let http = shop_local::http_client(std::time::Duration::from_secs(20));
    let page = http.get(&url).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("29.99 GBP"));
    let paid = http.post(format!("{url}/complete")).send().await.unwrap();
    assert!(paid.status().is_success());
    let read = stripe.retrieve_checkout_session(&session.id).await.unwrap();
    assert_eq!(
        (read.status.as_str(), read.payment_status.as_str()),
        ("complete", "paid")
    );
    let intent_id = read.payment_intent.as_ref().unwrap().id().to_owned();
    let intent = stripe.retrieve_payment_intent(&intent_id).await.unwrap();
    assert_eq!((intent.amount, intent.status.as_str()), (2999, "succeeded"));
    assert_eq!(intent.metadata["order_id"], "01ORDER");
    // A paid session cannot be expired; an open one can, once.
    assert!(matches!(
        stripe.expire_checkout_session(&session.id, &key()).await,
        Err(StripeError::Api { status: 400, .. })
    ));
    let other = new_session(&stripe, &lines, 60 * 60).await.unwrap();
    let expired = stripe
        .expire_checkout_session(&other.id, &key())
        .await
        .unwrap();
    assert_eq!(expired.status, "expired");
    // Stripe's bounds on expires_at are kept.
    assert!(matches!(
        new_session(&stripe, &lines, 10 * 60).await,
        Err(StripeError::Api { status: 400, .. })
    ));
}
