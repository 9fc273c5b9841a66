//! Each test's shop removes what it made on the emulators when the test ends (table and
//! queues; the bucket is emptied), so a suite of hundreds of tests does not fill the emulators'
//! memory.

use crate::helpers::TestApp;

#[tokio::test]
async fn a_test_shop_removes_its_table_and_queues_and_empties_its_bucket_when_dropped() {
    let app = TestApp::spawn().await;
    let state = app.shop.state.clone();
    let names = app.shop.names.clone();
    let queue_url = state.queue().url.to_string();
    let dead_letter_url = app.shop.dead_letter_queue_url.clone();
    // Something in the bucket too: it must be emptied before it can go.
    state
        .blobs()
        .put_immutable("products/p1/image.jpg", b"jpeg".to_vec(), "image/jpeg")
        .await
        .unwrap();
    let sdk = shop::aws::sdk_config(&state.config.endpoints).await;
    let s3 = shop_local::provision::s3_client(&sdk, &state.config);
    let sqs = shop_local::provision::sqs_client(&sdk, &state.config);
    drop(app);

    let table = state
        .table()
        .client()
        .describe_table()
        .table_name(&names.table)
        .send()
        .await;
    assert!(
        table
            .as_ref()
            .err()
            .and_then(|e| e.as_service_error())
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "the table is still there: {table:?}"
    );
    let queues = sqs
        .list_queues()
        .queue_name_prefix(&names.table)
        .send()
        .await
        .unwrap();
    let left: Vec<_> = queues.queue_urls().to_vec();
    assert!(
        !left.contains(&queue_url) && !left.contains(&dead_letter_url),
        "queues left: {left:?}"
    );
    // Emptied, not deleted (a moto bug: see shop_local::provision::remove).
    let objects = s3
        .list_objects_v2()
        .bucket(&names.bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(objects.key_count(), Some(0), "{objects:?}");
}
