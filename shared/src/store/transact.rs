//! The store's one way to write several items at once: labelled actions in one
//! `TransactWriteItems`, conflicts retried with backoff, and a cancellation reported per label.
//!
//! ```ignore
//! Transaction::new(table)
//!     .put("email", claim)       // condition: attribute_not_exists(PK)
//!     .put("profile", profile)
//!     .send()
//!     .await
//! // Err(TransactError::Cancelled(c)) with c.condition_failed("email") → 409 email_taken
//! ```
//!
//! DynamoDB cancels the whole transaction when any action fails and gives one reason per
//! action, in order: `ConditionalCheckFailed`, `TransactionConflict` (another transaction or
//! write held one of the items), `ThrottlingError`, `ValidationError`, or `None` for the
//! actions that were fine. A conflict or throttling with no failed condition is retried;
//! a failed condition never is (the answer would not change). Nothing is ever half-written.

use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    CancellationReason, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};

use super::StoreError;
use crate::aws::Table;

/// How many times a transaction is sent at most when it keeps meeting conflicts.
pub const MAX_ATTEMPTS: u32 = 5;
/// The first pause before a retry; it doubles each time (with jitter), 10, 20, 40, 80 ms.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// Why DynamoDB cancelled one action of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The action's condition expression did not hold.
    ConditionFailed,
    /// Another transaction or write was using the item.
    Conflict,
    /// The item's partition was throttled.
    Throttled,
    /// The action itself is invalid (an item too large, a bad expression for this item).
    Validation(String),
    /// A code this helper does not know, kept for the logs.
    Other(String),
}

impl Reason {
    /// Reads one cancellation reason; `None` for an action that was not at fault.
    fn from_aws(reason: &CancellationReason) -> Option<Self> {
        Some(match reason.code()? {
            "None" => return None,
            "ConditionalCheckFailed" => Self::ConditionFailed,
            "TransactionConflict" => Self::Conflict,
            "ThrottlingError" | "ProvisionedThroughputExceeded" | "RequestLimitExceeded" => {
                Self::Throttled
            }
            "ValidationError" => Self::Validation(reason.message().unwrap_or_default().to_owned()),
            other => Self::Other(format!("{other}: {}", reason.message().unwrap_or_default())),
        })
    }

    fn is_transient(&self) -> bool {
        matches!(self, Self::Conflict | Self::Throttled)
    }
}

/// The actions a cancelled transaction was refused for, by label (in the order they were added).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("transaction cancelled: {reasons:?}")]
pub struct Cancelled {
    pub reasons: Vec<(String, Reason)>,
}

impl Cancelled {
    /// True when the action labelled `label` failed its condition.
    pub fn condition_failed(&self, label: &str) -> bool {
        self.reasons
            .iter()
            .any(|(l, r)| l == label && *r == Reason::ConditionFailed)
    }

    /// The labels whose conditions failed, such as every short sku of a checkout.
    pub fn failed_conditions(&self) -> impl Iterator<Item = &str> + '_ {
        self.reasons
            .iter()
            .filter(|(_, r)| *r == Reason::ConditionFailed)
            .map(|(l, _)| l.as_str())
    }

    /// What follows `prefix` in the labels whose conditions failed: with actions labelled
    /// `sku:<SKU>`, `failed_under("sku:")` is every sku that was refused.
    pub fn failed_under(&self, prefix: &str) -> Vec<String> {
        self.failed_conditions()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(str::to_owned)
            .collect()
    }

    /// True when only conflicts or throttling stopped it: sending it again may succeed.
    pub fn is_transient(&self) -> bool {
        !self.reasons.is_empty() && self.reasons.iter().all(|(_, r)| r.is_transient())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransactError {
    /// DynamoDB cancelled it; nothing was written. Transient reasons remain only after
    /// [`MAX_ATTEMPTS`] tries.
    #[error(transparent)]
    Cancelled(Cancelled),
    /// Any other failure (the request itself was invalid, the service was unreachable).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TransactError {
    /// The conditions that failed, or `None` when it was not a failed condition at all.
    pub fn cancelled(&self) -> Option<&Cancelled> {
        match self {
            Self::Cancelled(c) if !c.is_transient() => Some(c),
            _ => None,
        }
    }

    /// The one place where failed conditions become an operation's outcomes: `outcome` picks
    /// the outcome for the conditions that failed (`None` when none of them was expected), and
    /// anything else is a storage failure.
    ///
    /// ```ignore
    /// .map_err(|e| e.on_condition(|c| c.condition_failed("email").then_some(CreateUserError::EmailTaken)))
    /// ```
    pub fn on_condition<E: From<StoreError>>(
        self,
        outcome: impl FnOnce(&Cancelled) -> Option<E>,
    ) -> E {
        match self.cancelled().and_then(outcome) {
            Some(e) => e,
            None => E::from(self.into_store_error()),
        }
    }

    /// Anything that is not a failed condition, as a storage failure: for a caller that
    /// has mapped every condition it expects.
    pub fn into_store_error(self) -> StoreError {
        match self {
            Self::Store(e) => e,
            Self::Cancelled(c) if c.is_transient() => {
                StoreError::contended(format!("{:?}", c.reasons))
            }
            Self::Cancelled(c) => StoreError {
                operation: "TransactWriteItems",
                code: "TransactionCanceled".to_owned(),
                message: format!("{:?}", c.reasons),
            },
        }
    }
}

/// What a sent transaction took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// 1 when it went through at once; more when conflicts were retried.
    pub attempts: u32,
}

/// A transaction being put together; nothing is sent before [`Transaction::send`].
#[must_use = "a transaction does nothing until it is sent"]
pub struct Transaction<'a> {
    table: &'a Table,
    actions: Vec<(String, TransactWriteItem)>,
    token: Option<String>,
}

impl<'a> Transaction<'a> {
    pub fn new(table: &'a Table) -> Self {
        Self {
            table,
            actions: Vec::new(),
            token: None,
        }
    }

    /// The table's name, for the `Put`/`Update`/... builders of its actions.
    pub fn table_name(&self) -> &str {
        self.table.name()
    }

    pub fn put(self, label: impl Into<String>, put: Put) -> Self {
        self.action(label, TransactWriteItem::builder().put(put).build())
    }

    pub fn update(self, label: impl Into<String>, update: Update) -> Self {
        self.action(label, TransactWriteItem::builder().update(update).build())
    }

    pub fn delete(self, label: impl Into<String>, delete: Delete) -> Self {
        self.action(label, TransactWriteItem::builder().delete(delete).build())
    }

    /// A condition on an item that the transaction does not write.
    pub fn check(self, label: impl Into<String>, check: ConditionCheck) -> Self {
        self.action(
            label,
            TransactWriteItem::builder().condition_check(check).build(),
        )
    }

    fn action(mut self, label: impl Into<String>, item: TransactWriteItem) -> Self {
        self.actions.push((label.into(), item));
        self
    }

    /// How many actions it holds (DynamoDB takes at most 100 in one transaction).
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Makes the transaction idempotent for 10 minutes (DynamoDB's `ClientRequestToken`):
    /// sent again with the same token, it is not applied twice. At most 36 characters.
    pub fn idempotency_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sends it, retrying conflicts and throttling; `Cancelled` names the refused actions.
    pub async fn send(self) -> Result<Sent, TransactError> {
        let labels: Vec<String> = self.actions.iter().map(|(l, _)| l.clone()).collect();
        let items: Vec<TransactWriteItem> = self.actions.into_iter().map(|(_, i)| i).collect();
        let mut backoff = FIRST_BACKOFF;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self
                .table
                .client()
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .set_client_request_token(self.token.clone())
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(Sent { attempts }),
                Err(err) => err,
            };
            let cancelled = match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                    cancellation(&labels, e.cancellation_reasons())
                }
                // The same token is still being applied by an earlier call: wait and see.
                Some(TransactWriteItemsError::TransactionInProgressException(_)) => Cancelled {
                    reasons: vec![("(in progress)".to_owned(), Reason::Conflict)],
                },
                _ => return Err(StoreError::from_sdk("TransactWriteItems", &err).into()),
            };
            if !cancelled.is_transient() || attempts >= MAX_ATTEMPTS {
                if cancelled.is_transient() {
                    tracing::warn!(attempts, reasons = ?cancelled.reasons, "transaction still conflicting; giving up");
                }
                return Err(TransactError::Cancelled(cancelled));
            }
            tokio::time::sleep(jittered(backoff)).await;
            backoff *= 2;
        }
    }
}

/// The reasons of the actions at fault, each with its label.
fn cancellation<L: AsRef<str>>(labels: &[L], reasons: &[CancellationReason]) -> Cancelled {
    Cancelled {
        reasons: labels
            .iter()
            .zip(reasons)
            .filter_map(|(label, reason)| {
                Reason::from_aws(reason).map(|r| (label.as_ref().to_owned(), r))
            })
            .collect(),
    }
}

/// Between half and all of `base`, so racing writers do not retry in step.
pub fn jittered(base: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    base / 2 + base.mul_f64(f64::from(byte[0]) / 510.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(code: &str) -> CancellationReason {
        CancellationReason::builder()
            .code(code)
            .message("m")
            .build()
    }

    #[test]
    fn reasons_are_read_per_label_and_none_is_dropped() {
        let c = cancellation(
            &["stock:A", "stock:B", "stock:C", "order"],
            &[
                reason("ConditionalCheckFailed"),
                reason("None"),
                reason("ConditionalCheckFailed"),
                reason("None"),
            ],
        );
        assert_eq!(
            c.failed_conditions().collect::<Vec<_>>(),
            ["stock:A", "stock:C"]
        );
        assert!(c.condition_failed("stock:C") && !c.condition_failed("stock:B"));
        assert!(!c.is_transient());
    }

    #[test]
    fn only_conflicts_and_throttling_are_worth_retrying() {
        let conflict = cancellation(
            &["a", "b"],
            &[reason("None"), reason("TransactionConflict")],
        );
        assert!(conflict.is_transient());
        let throttled = cancellation(&["a"], &[reason("ThrottlingError")]);
        assert!(throttled.is_transient());
        // A failed condition beside a conflict will fail again: not retried.
        let mixed = cancellation(
            &["a", "b"],
            &[
                reason("ConditionalCheckFailed"),
                reason("TransactionConflict"),
            ],
        );
        assert!(!mixed.is_transient());
        let invalid = cancellation(&["a"], &[reason("ValidationError")]);
        assert_eq!(
            invalid.reasons,
            vec![("a".to_owned(), Reason::Validation("m".into()))]
        );
        assert!(!invalid.is_transient());
        assert!(!cancellation(&["a"], &[reason("None")]).is_transient());
    }

    #[test]
    fn backoff_is_jittered_within_bounds() {
        for _ in 0..50 {
            let d = jittered(Duration::from_millis(40));
            assert!(
                d >= Duration::from_millis(20) && d <= Duration::from_millis(40),
                "{d:?}"
            );
        }
    }
}
