//! `shopctl dlq`: the work queue's dead letters (messages the worker failed five times, or
//! could not read at all). `list` shows them and leaves them; `redrive` sends them (or the one
//! named by `--id`) back to the work queue and deletes them from the dead-letter queue.

use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, MessageSystemAttributeName};

/// A queue as shopctl reads it: the SDK's SQS client (receive, hide, delete) and the URL.
#[derive(Clone, Debug)]
pub struct SqsQueue {
    pub client: aws_sdk_sqs::Client,
    pub url: String,
}

/// One dead letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: String,
    /// How often it was received, the worker's attempts included.
    pub receives: u32,
    pub body: String,
    receipt: String,
}

/// How long the messages being looked at stay hidden from another reader.
const HOLD_SECS: i32 = 30;

/// Every message in `dlq`, each read once (they are hidden while this runs, then visible again
/// unless `keep_hidden`).
async fn take_all(dlq: &SqsQueue) -> Result<Vec<DeadLetter>, String> {
    let mut out: Vec<DeadLetter> = Vec::new();
    loop {
        let received = dlq
            .client
            .receive_message()
            .queue_url(&dlq.url)
            .max_number_of_messages(10)
            .visibility_timeout(HOLD_SECS)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(out);
        }
        for m in messages {
            let receives = m
                .attributes
                .as_ref()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            out.push(DeadLetter {
                id: m.message_id.unwrap_or_default(),
                receives,
                body: m.body.unwrap_or_default(),
                receipt: m.receipt_handle.unwrap_or_default(),
            });
        }
    }
}

/// Makes `letters` visible again at once.
async fn release(dlq: &SqsQueue, letters: &[DeadLetter]) -> Result<(), String> {
    for chunk in letters.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, l)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(&l.receipt)
                    .visibility_timeout(0)
                    .build()
                    .expect("id and receipt are set")
            })
            .collect();
        dlq.client
            .change_message_visibility_batch()
            .queue_url(&dlq.url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    }
    Ok(())
}

/// The dead letters, left where they are.
pub async fn list(dlq: &SqsQueue) -> Result<Vec<DeadLetter>, String> {
    let letters = take_all(dlq).await?;
    release(dlq, &letters).await?;
    Ok(letters)
}

/// Sends the dead letters (only `id`, when given) back to `work` and removes them from `dlq`;
/// returns the ones re-driven. Each is sent before it is deleted, so a failure half-way
/// leaves a message in both queues at worst, which the worker's idempotency absorbs.
pub async fn redrive(
    dlq: &SqsQueue,
    work: &SqsQueue,
    id: Option<&str>,
) -> Result<Vec<DeadLetter>, String> {
    let letters = take_all(dlq).await?;
    let (chosen, others): (Vec<_>, Vec<_>) = letters
        .into_iter()
        .partition(|l| id.is_none_or(|id| l.id == id));
    release(dlq, &others).await?;
    for letter in &chosen {
        work.client
            .send_message()
            .queue_url(&work.url)
            .message_body(&letter.body)
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        dlq.client
            .delete_message()
            .queue_url(&dlq.url)
            .receipt_handle(&letter.receipt)
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
    }
    Ok(chosen)
}
