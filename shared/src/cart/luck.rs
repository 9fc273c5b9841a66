//! Try your luck: every counted try takes the next position of one global counter; position
//! `p` wins when `p % N == 0` (N a setting). A user is counted at most once per 24 hours: a
//! second try, also one arriving at the same moment, answers the first one's result and takes
//! no position. A win makes a coupon reserved to the winner for some minutes (a setting) and
//! puts it on their cart at once.
//!
//! Order of writes: claim the user's try (conditional), advance the counter, then record the
//! outcome and the won coupon in one transaction. A crash between the last two leaves a claim
//! without an outcome; after [`STALE`] a new try may take it over (and takes a new position),
//! so a position can be lost only to a crash, never handed out twice.

use std::time::Duration;

use super::{Caller, apply_coupon};
use crate::accounts;
use crate::domain::coupon::{CouponTerms, generate_code};
use crate::error::ApiError;
use crate::http::AuthUser;
use crate::state::AppState;
use crate::store::coupons::{self, Coupon};
use crate::store::luck::{self, Outcome, WonCoupon};
use crate::store::settings;

/// How long a claim may stay without an outcome before another try may take it over.
const STALE: time::Duration = time::Duration::seconds(30);
/// How long a concurrent second try waits for the first one's outcome.
const WAIT: Duration = Duration::from_secs(3);

/// What a try answers: won or not, and the coupon won. The position drawn stays in the table:
/// shown, it would tell anyone watching when the next try wins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LuckAnswer {
    pub won: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon: Option<WonCoupon>,
}

impl From<Outcome> for LuckAnswer {
    fn from(o: Outcome) -> Self {
        Self {
            won: o.won,
            coupon: o.coupon,
        }
    }
}

pub async fn try_luck(state: &AppState, user: AuthUser) -> Result<Outcome, ApiError> {
    let table = state.table();
    let now = accounts::now();
    let stamp = accounts::rfc3339(now);
    let cutoff = accounts::rfc3339(now - time::Duration::hours(24));
    let claim = ulid::Ulid::new().to_string();
    if let Err(held) = luck::claim(table, user.id(), &claim, &stamp, &cutoff).await? {
        match held {
            Some(t) if t.outcome.is_some() => return Ok(t.outcome.expect("checked")),
            Some(t) if t.tried_at < accounts::rfc3339(now - STALE) => {
                if !luck::take_over(table, user.id(), &t, &claim, &stamp).await? {
                    return wait_for_outcome(state, user.id()).await;
                }
            }
            _ => return wait_for_outcome(state, user.id()).await,
        }
    }
    let settings = settings::current(state.reader()).await?;
    let position = luck::next_position(table).await?;
    let won = position % u64::from(settings.nth_customer.max(1)) == 0;
    let coupon = won.then(|| {
        let until = now + time::Duration::minutes(i64::from(settings.coupon_reservation_minutes));
        Coupon {
            terms: CouponTerms {
                code: generate_code("LUCK-"),
                percent_off: Some(settings.coupon_percent),
                amount_off: None,
                min_subtotal: 0,
                expires_at: None,
                max_redemptions: Some(1),
                redemptions: 0,
                active: true,
                reserved_by: Some(user.id().to_owned()),
                reserved_until: Some(accounts::rfc3339(until)),
            },
            luck: true,
            created_at: stamp.clone(),
            updated_at: stamp.clone(),
        }
    });
    let outcome = Outcome {
        won,
        position,
        coupon: coupon.as_ref().map(|c| WonCoupon {
            code: c.terms.code.clone(),
            percent_off: settings.coupon_percent,
            reserved_until: c.terms.reserved_until.clone().unwrap_or_default(),
        }),
    };
    let item = coupon.as_ref().map(coupons::item).transpose()?;
    if !luck::record(table, user.id(), &claim, &outcome, item).await? {
        // Taken over meanwhile (this request was slower than STALE): the other one answers.
        return wait_for_outcome(state, user.id()).await;
    }
    if let Some(c) = &outcome.coupon {
        let user_id = user.id().to_owned();
        if let Err(e) = apply_coupon(state, &Caller::User(user), &c.code).await {
            // The win stands and its code is in the answer; the winner can apply it.
            tracing::warn!(error = %e, user = user_id, "the luck coupon was not put on the cart");
        }
    }
    Ok(outcome)
}

/// The outcome of the try another request holds, once it is recorded.
async fn wait_for_outcome(state: &AppState, user_id: &str) -> Result<Outcome, ApiError> {
    let started = tokio::time::Instant::now();
    while started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(outcome) = luck::get(state.table(), user_id)
            .await?
            .and_then(|t| t.outcome)
        {
            return Ok(outcome);
        }
    }
    Err(ApiError::Busy)
}
