//! The Stripe client against localstripe over its real HTTP API: PaymentIntents paid, declined,
//! read back and cancelled; refunds; Stripe's error bodies as typed errors.

use shop::stripe::{NewPaymentIntent, Payments, Stripe, StripeError};

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
