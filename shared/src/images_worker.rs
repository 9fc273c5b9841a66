//! The SQS-triggered images worker: for each attached image (an [`ImageJob`] the attach route
//! put on the image queue) it reads the original from the bucket, makes the thumbnail and the
//! large size (`catalog::resize`), writes them beside the original and records them on the
//! product. A function of its own, so that the image decoders are in no other binary and a
//! burst of uploads never delays an email.
//!
//! Redelivery is harmless: the sizes are written under fixed keys and recorded by a SET. A job
//! that can never succeed (a malformed message, an original that is gone or not decodable) is
//! logged and dropped rather than retried; anything else is reported for redelivery, and after
//! five receives SQS moves it to the dead-letter queue.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};

use crate::accounts;
use crate::catalog::image::{self, ImageJob};
use crate::catalog::resize::{self, Rendition, ResizeError};
use crate::state::{AppState, Need};
use crate::store::products::{self, ImageSizes, SizedImage};

/// The clients the images worker uses.
pub const NEEDS: &[Need] = &[Need::TableWrite, Need::Blobs];

/// What became of one job.
#[derive(Debug, PartialEq, Eq)]
pub enum Done {
    /// The sizes are made and recorded on the product.
    Recorded,
    /// The image was detached meanwhile (its sizes were removed again) or its original is gone.
    Gone,
    /// The job can never succeed; logged and dropped.
    Dropped(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ImageWorkError {
    #[error(transparent)]
    Blob(#[from] crate::aws::BlobError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Encode(ResizeError),
    #[error("the resize task stopped: {0}")]
    Task(String),
}

/// Processes a batch and returns the ids of the messages to be retried.
pub async fn handle(state: &AppState, event: SqsEvent) -> SqsBatchResponse {
    crate::aws::each_sqs_message(event, |message_id, body| async move {
        match process(state, &body).await? {
            Done::Dropped(why) => {
                tracing::error!(message_id, why, "image job dropped: it can never succeed");
            }
            done => tracing::info!(message_id, ?done, "image job done"),
        }
        Ok::<_, ImageWorkError>(())
    })
    .await
}

/// Does one job.
pub async fn process(state: &AppState, body: &str) -> Result<Done, ImageWorkError> {
    let job: ImageJob = match serde_json::from_str(body) {
        Ok(job) => job,
        Err(e) => return Ok(Done::Dropped(format!("not an image job: {e}"))),
    };
    let Some(kind) = job.original_type() else {
        return Ok(Done::Dropped(format!(
            "{} is not an original of image {}",
            job.key, job.image_id
        )));
    };
    let blobs = state.blobs();
    let Some(original) = blobs.get(&job.key).await? else {
        return Ok(Done::Gone);
    };
    // Decoding and resizing take a CPU for a while: off the async threads.
    let made = tokio::task::spawn_blocking(move || resize::display_sizes(&original, kind))
        .await
        .map_err(|e| ImageWorkError::Task(e.to_string()))?;
    let made = match made {
        Ok(made) => made,
        Err(ResizeError::Undecodable(why)) => return Ok(Done::Dropped(why)),
        Err(e) => return Err(ImageWorkError::Encode(e)),
    };
    let store = |size: &'static str, r: Rendition| {
        let key = image::sized_key(&job.product_id, &job.image_id, size, r.extension);
        async move {
            let sized = SizedImage {
                url: blobs.public_url(&key),
                key: key.clone(),
                width: r.width,
                height: r.height,
            };
            blobs.put_immutable(&key, r.bytes, r.content_type).await?;
            Ok::<_, ImageWorkError>(sized)
        }
    };
    let (thumbnail, large) = tokio::try_join!(
        store("thumbnail", made.thumbnail),
        store("large", made.large)
    )?;
    let sizes = ImageSizes { thumbnail, large };
    let now = accounts::rfc3339(accounts::now());
    if products::set_image_sizes(state.table(), &job.product_id, &job.image_id, &sizes, &now)
        .await?
    {
        return Ok(Done::Recorded);
    }
    // Detached while the sizes were being made: the detach could not delete them, so do it.
    for key in [&sizes.thumbnail.key, &sizes.large.key] {
        blobs.delete(key).await?;
    }
    Ok(Done::Gone)
}
