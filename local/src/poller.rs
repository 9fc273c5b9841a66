//! Stands in for Lambda's SQS event source: polls one local queue, hands each batch to the
//! function that drains it (the worker or the images worker) as an `SqsEvent`, and deletes
//! only the messages the function did not report as failed. Failed ones reappear after the visibility timeout, and after maxReceiveCount
//! receives moto moves them to the dead-letter queue, as SQS does.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsBatchResponse;
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use shop::AppState;
use shop::state::Need;

/// Long-poll wait per receive: short enough to stop promptly, long enough not to spin.
const WAIT: i32 = 1;

/// An SQS-triggered function of template.yaml, by its binary's name.
#[derive(Clone, Copy, Debug)]
pub enum SqsFunction {
    Worker,
    ImagesWorker,
}

impl SqsFunction {
    pub fn of_binary(binary: &str) -> Option<Self> {
        [Self::Worker, Self::ImagesWorker]
            .into_iter()
            .find(|f| f.binary() == binary)
    }

    fn binary(self) -> &'static str {
        match self {
            Self::Worker => "worker",
            Self::ImagesWorker => "images_worker",
        }
    }

    fn needs(self) -> &'static [Need] {
        match self {
            Self::Worker => shop::worker::NEEDS,
            Self::ImagesWorker => shop::images_worker::NEEDS,
        }
    }

    async fn handle(self, state: &AppState, event: SqsEvent) -> SqsBatchResponse {
        match self {
            Self::Worker => shop::worker::handle(state, event).await,
            Self::ImagesWorker => shop::images_worker::handle(state, event).await,
        }
    }
}

pub async fn run(
    state: AppState,
    function: SqsFunction,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    batch_size: u32,
    queue_arn: String,
    meter: crate::meter::Meter,
) {
    // The function gets what it would have on Lambda, and nothing more.
    let state = state.only(function.needs());
    loop {
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(batch_size.clamp(1, 10) as i32)
            .wait_time_seconds(WAIT)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "receiving from the local queue failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let mut receipts = HashMap::new();
        let mut event = SqsEvent::default();
        for m in messages {
            let id = m.message_id.clone().unwrap_or_default();
            receipts.insert(id.clone(), m.receipt_handle.clone().unwrap_or_default());
            let mut record = SqsMessage::default();
            record.message_id = Some(id);
            record.receipt_handle = m.receipt_handle;
            record.md5_of_body = m.md5_of_body;
            record.body = m.body;
            record.attributes = m
                .attributes
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k.as_str().to_owned(), v))
                .collect();
            record.event_source = Some("aws:sqs".to_owned());
            record.event_source_arn = Some(queue_arn.clone());
            event.records.push(record);
        }
        let (messages, started) = (event.records.len(), std::time::Instant::now());
        let response = function.handle(&state, event).await;
        meter.invoked(function.binary().to_owned(), messages, started.elapsed());
        for failure in &response.batch_item_failures {
            receipts.remove(&failure.item_identifier);
        }
        if receipts.is_empty() {
            continue;
        }
        let entries = receipts
            .into_iter()
            .enumerate()
            .map(|(i, (_, receipt))| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(receipt)
                    .build()
                    .expect("id and receipt are set")
            })
            .collect();
        if let Err(e) = sqs
            .delete_message_batch()
            .queue_url(&queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(e), "deleting handled messages failed; they will be redelivered");
        }
    }
}
