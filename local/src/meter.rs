//! `GET /_local/dynamodb`: every DynamoDB request the local server made since the last
//! `DELETE /_local/dynamodb`, with the capacity units DynamoDB (Local) reported for it, and
//! every function invocation (an API request, or a batch of queue messages handed to a worker)
//! with its duration. An SDK interceptor on the local server's table client asks each request for
//! its consumed capacity (`ReturnConsumedCapacity=TOTAL`: the table's and its indexes' units)
//! and records the answer; deployed functions have no such interceptor. `make bench-checkout`
//! and `make bench-cost` read it to measure what a route and an order cost.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation as op;
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// The most requests kept (the oldest are dropped first).
const KEEP: usize = 10_000;

/// One DynamoDB request.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub operation: &'static str,
    /// What DynamoDB reported; none when the request failed (a refused condition, say).
    pub capacity_units: Option<f64>,
}

/// One invocation of a function, as Lambda would bill it.
#[derive(Debug, Clone, Serialize)]
pub struct Invocation {
    /// `GET /api/v1/products/{slug}` for an API route, the binary's name for a queue consumer.
    pub function: String,
    /// Queue messages in the batch (0 for an API request).
    pub messages: usize,
    pub ms: f64,
}

/// The requests seen, shared by the interceptor and the route.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    calls: Arc<Mutex<Calls>>,
    invocations: Arc<Mutex<VecDeque<Invocation>>>,
}

/// The last [`KEEP`] calls, and the totals over every call since the last reset (so a long
/// benchmark's count is never cut short by what is kept).
#[derive(Debug, Default)]
struct Calls {
    kept: VecDeque<Call>,
    requests: usize,
    capacity_units: f64,
}

#[derive(Debug, Serialize)]
pub struct Reading {
    /// Every DynamoDB request since the last reset.
    pub requests: usize,
    /// Their capacity units.
    pub capacity_units: f64,
    /// The last [`KEEP`] of them.
    pub calls: Vec<Call>,
    /// The last [`KEEP`] invocations.
    pub invocations: Vec<Invocation>,
}

/// Appends `item`, dropping the oldest beyond [`KEEP`].
fn keep<T>(list: &mut VecDeque<T>, item: T) {
    if list.len() == KEEP {
        list.pop_front();
    }
    list.push_back(item);
}

impl Meter {
    /// Records that `function` ran for `elapsed` on `messages` queue messages.
    pub fn invoked(&self, function: String, messages: usize, elapsed: std::time::Duration) {
        let ms = elapsed.as_secs_f64() * 1000.0;
        keep(
            &mut self
                .invocations
                .lock()
                .expect("the meter's lock is never poisoned"),
            Invocation {
                function,
                messages,
                ms,
            },
        );
    }

    fn record(&self, call: Call) {
        let mut calls = self
            .calls
            .lock()
            .expect("the meter's lock is never poisoned");
        calls.requests += 1;
        calls.capacity_units += call.capacity_units.unwrap_or(0.0);
        keep(&mut calls.kept, call);
    }

    pub fn read(&self) -> Reading {
        let calls = self
            .calls
            .lock()
            .expect("the meter's lock is never poisoned");
        Reading {
            requests: calls.requests,
            capacity_units: calls.capacity_units,
            calls: calls.kept.iter().cloned().collect(),
            invocations: self
                .invocations
                .lock()
                .expect("the meter's lock is never poisoned")
                .iter()
                .cloned()
                .collect(),
        }
    }

    pub fn reset(&self) {
        *self
            .calls
            .lock()
            .expect("the meter's lock is never poisoned") = Calls::default();
        self.invocations
            .lock()
            .expect("the meter's lock is never poisoned")
            .clear();
    }
}

fn total(one: Option<&ConsumedCapacity>) -> Option<f64> {
    one.and_then(ConsumedCapacity::capacity_units)
}

fn sum(many: Option<&Vec<ConsumedCapacity>>) -> Option<f64> {
    many.map(|all| {
        all.iter()
            .filter_map(ConsumedCapacity::capacity_units)
            .sum()
    })
}

/// For each operation the shop uses: its name, how to ask for the capacity, how to read it.
macro_rules! operations {
    ($($name:literal => $input:ty, $output:ty, $read:ident;)*) => {
        fn ask_capacity(input: &mut aws_smithy_runtime_api::client::interceptors::context::Input) {
            $(if let Some(i) = input.downcast_mut::<$input>() {
                i.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
                return;
            })*
        }

        fn reading(output: &aws_smithy_runtime_api::client::interceptors::context::Output) -> Option<(&'static str, Option<f64>)> {
            $(if let Some(o) = output.downcast_ref::<$output>() {
                return Some(($name, $read(o.consumed_capacity.as_ref())));
            })*
            None
        }
    };
}

operations! {
    "GetItem" => op::get_item::GetItemInput, op::get_item::GetItemOutput, total;
    "PutItem" => op::put_item::PutItemInput, op::put_item::PutItemOutput, total;
    "UpdateItem" => op::update_item::UpdateItemInput, op::update_item::UpdateItemOutput, total;
    "DeleteItem" => op::delete_item::DeleteItemInput, op::delete_item::DeleteItemOutput, total;
    "Query" => op::query::QueryInput, op::query::QueryOutput, total;
    "BatchGetItem" => op::batch_get_item::BatchGetItemInput, op::batch_get_item::BatchGetItemOutput, sum;
    "BatchWriteItem" => op::batch_write_item::BatchWriteItemInput, op::batch_write_item::BatchWriteItemOutput, sum;
    "TransactWriteItems" => op::transact_write_items::TransactWriteItemsInput, op::transact_write_items::TransactWriteItemsOutput, sum;
    "TransactGetItems" => op::transact_get_items::TransactGetItemsInput, op::transact_get_items::TransactGetItemsOutput, sum;
}

impl Intercept for Meter {
    fn name(&self) -> &'static str {
        "LocalDynamoDbMeter"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        ask_capacity(context.input_mut());
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let call = match context.output_or_error() {
            Ok(output) => reading(output).map(|(operation, capacity_units)| Call {
                operation,
                capacity_units,
            }),
            Err(_) => Some(Call {
                operation: "(failed)",
                capacity_units: None,
            }),
        };
        if let Some(call) = call {
            self.record(call);
        }
        Ok(())
    }
}

/// `GET /_local/dynamodb`.
pub async fn read(State(meter): State<Meter>) -> Json<Reading> {
    Json(meter.read())
}

/// Times each API request as the invocation of its route's function (`METHOD path`).
pub async fn count_invocation(
    State(meter): State<Meter>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| format!("{} {}", request.method(), p.as_str()));
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    if let Some(function) = route.filter(|r| r.contains(" /api/")) {
        meter.invoked(function, 0, started.elapsed());
    }
    response
}

/// `GET /_local/allocations`: the heap allocations the server has made since it started (0 unless
/// the binary counts them, as `shop-local` does).
pub async fn allocations() -> Json<serde_json::Value> {
    let stats = stats_alloc::INSTRUMENTED_SYSTEM.stats();
    Json(serde_json::json!({
        "allocations": stats.allocations + stats.reallocations,
        "bytes_allocated": stats.bytes_allocated,
    }))
}

/// `DELETE /_local/dynamodb`: starts counting again.
pub async fn reset(State(meter): State<Meter>) -> axum::http::StatusCode {
    meter.reset();
    axum::http::StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_totals_count_every_call_even_beyond_those_kept() {
        let meter = Meter::default();
        for _ in 0..KEEP + 5 {
            meter.record(Call {
                operation: "GetItem",
                capacity_units: Some(0.5),
            });
        }
        meter.record(Call {
            operation: "(failed)",
            capacity_units: None,
        });
        let reading = meter.read();
        assert_eq!(reading.requests, KEEP + 6);
        assert_eq!(reading.calls.len(), KEEP);
        assert_eq!(reading.calls.last().unwrap().operation, "(failed)");
        assert!((reading.capacity_units - (KEEP + 5) as f64 * 0.5).abs() < 1e-9);

        meter.reset();
        let reading = meter.read();
        assert_eq!((reading.requests, reading.calls.len()), (0, 0));
        assert_eq!(reading.capacity_units, 0.0);
    }
}
