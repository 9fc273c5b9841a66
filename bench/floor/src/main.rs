//! Hello world on the Lambda runtime: the floor of `make bench-lambda`'s ratios.
//! It runs on the same single-threaded runtime as the functions, so the ratios compare like with like.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async {
        Ok::<_, Error>(json!({ "statusCode": 200, "body": "hello" }))
    }))
    .await
}
