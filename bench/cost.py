"""What one order costs on AWS (`make bench-cost`): Lambda, API Gateway, DynamoDB and SQS at
list prices, per 1,000 orders, from a realistic journey driven through the local server.

One journey: 2 product listings, 5 product pages, 3 items added to the cart, the cart viewed
twice, checkout, the payment on localstripe, its webhook, and the worker's follow-ups (the order
marked paid, the confirmation email, the invoice, the analytics and the stock alerts), the
customer's one look at the paid order, until the worker has been quiet for a second. The local server's meter (`GET /_local/dynamodb`)
reports, for the journey:

- every function invocation with its duration: each API request (one API Gateway request and one
  Lambda invocation of that route's function) and each batch a queue consumer handled;
- every DynamoDB request with the capacity units DynamoDB Local reported for it
  (`ReturnConsumedCapacity=TOTAL`: the table's units and every index copy's, transactions at
  two units per item and KB, as AWS counts them).

What is counted and at which price (us-east-1, arm64, on-demand, list prices of 2026-12):
- Lambda: $0.20 per million requests and $0.0000133334 per GB-second, 256 MB (template.yaml),
  each invocation's duration rounded up to the millisecond. The durations are the local
  server's own (the `bench-local` build), which include DynamoDB Local's and localstripe's
  latency: an upper bound of what the same code takes against DynamoDB.
- API Gateway HTTP API: $1.00 per million requests.
- DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request
  units.
- SQS standard: $0.40 per million requests; each message is counted as three (the send, the
  event source's receive and its delete; batching makes it fewer). The event source's idle long
  polls are a fixed monthly cost, not a cost per order, and are left out, as are SES (the
  emails), S3 (the invoice PDF) and Stripe's fees.

    make stack && make bench-cost     # prints the table and writes it into docs/operations.md
"""
import argparse
import math
import os
import statistics
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cart import call  # noqa: E402
from catalog import stop  # noqa: E402
from checkout import ADDRESS, meter, stripe_post  # noqa: E402
from shop import ROOT, customer, endpoints, start_shop, wait_until_idle, write_between  # noqa: E402

START = "<!-- bench-cost:start -->"
END = "<!-- bench-cost:end -->"

MEMORY_GB = 256 / 1024
PRICE = {
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000133334,
    "api_request": 1.00 / 1e6,
    "wru": 0.625 / 1e6,
    "rru": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,
}
GOAL_PER_1000 = 0.03
READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems", "Scan"}


def journey(base, stripe, token, email, slugs, skus, category):
    """One order, as a customer makes it; returns the order's id once the worker is done."""
    call(base, "GET", "/api/v1/products?limit=20&sort=-created_at")
    call(base, "GET", f"/api/v1/products?limit=20&sort=price&category={category}")
    for slug in slugs:
        call(base, "GET", f"/api/v1/products/{slug}")
    for sku in skus:
        call(base, "POST", "/api/v1/cart/items", token, {"sku": sku, "quantity": 1})
    call(base, "GET", "/api/v1/cart", token)
    call(base, "GET", "/api/v1/cart", token)
    _, answer = call(base, "POST", "/api/v1/checkout", token, {"shipping_address": ADDRESS})
    order_id, order_number = answer["order"]["id"], answer["order"]["number"]
    intent = answer["payment"]["payment_intent_id"]
    stripe_post(stripe, f"/v1/payment_intents/{intent}", {"payment_method": "pm_card_visa"})
    stripe_post(stripe, f"/v1/payment_intents/{intent}/confirm", {})
    # Waits for the confirmation email (the local server's outbox is not metered), so the
    # bench's own waiting costs nothing; then the customer's one look at the paid order.
    deadline = time.time() + 60
    while time.time() < deadline:
        _, mails = call(base, "GET", "/_local/emails?to=" + urllib.parse.quote(email))
        if any(order_number in m["subject"] for m in mails):
            break
        time.sleep(0.2)
    else:
        raise SystemExit(f"order {order_id} was never confirmed")
    _, order = call(base, "GET", f"/api/v1/orders/{order_id}", token)
    if order["status"] != "paid":
        raise SystemExit(f"order {order_id} is {order['status']} after its confirmation")
    # The follow-ups the payment queued (invoice, analytics): wait until the consumers have
    # been idle for a second.
    quiet_since, seen = time.time(), None
    while time.time() - quiet_since < 1.0:
        n = len(meter(base)["invocations"])
        if n != seen:
            seen, quiet_since = n, time.time()
        time.sleep(0.2)
    return order_id


def count(reading):
    if reading["requests"] != len(reading["calls"]):
        raise SystemExit("the meter kept only part of one order's DynamoDB calls")
    api = [i for i in reading["invocations"] if i["messages"] == 0]
    consumers = [i for i in reading["invocations"] if i["messages"] > 0]
    rru = sum(c["capacity_units"] or 0 for c in reading["calls"] if c["operation"] in READS)
    wru = sum(c["capacity_units"] or 0 for c in reading["calls"] if c["operation"] not in READS)
    return {
        "api_requests": len(api),
        "lambda_invocations": len(api) + len(consumers),
        "queue_messages": sum(i["messages"] for i in consumers),
        "billed_ms": sum(math.ceil(i["ms"]) for i in reading["invocations"]),
        "dynamodb_requests": len(reading["calls"]),
        "rru": rru,
        "wru": wru,
        "by_function": sorted((i["function"], i["ms"]) for i in reading["invocations"]),
        "by_operation": sorted((c["operation"], c["capacity_units"] or 0) for c in reading["calls"]),
    }


def dollars_per_1000(c):
    gb_seconds = c["billed_ms"] / 1000 * MEMORY_GB
    items = {
        "Lambda requests": c["lambda_invocations"] * PRICE["lambda_request"],
        "Lambda duration": gb_seconds * PRICE["lambda_gb_second"],
        "API Gateway": c["api_requests"] * PRICE["api_request"],
        "DynamoDB writes": c["wru"] * PRICE["wru"],
        "DynamoDB reads": c["rru"] * PRICE["rru"],
        "SQS": 3 * c["queue_messages"] * PRICE["sqs_request"],
    }
    return {k: v * 1000 for k, v in items.items()}, gb_seconds


def report(per_order, orders, date):
    cost, gb_seconds = dollars_per_1000(per_order)
    total = sum(cost.values())
    mean = lambda k: per_order[k]
    lines = [
        f"Measured {date} by `make bench-cost`: {orders} journeys through the local server "
        "(`bench-local` build) on the emulators; the counts are the median journey's.",
        "",
        "| per order | count | price | per 1,000 orders |",
        "|---|---|---|---|",
        f"| Lambda invocations ({mean('api_requests')} API + {mean('lambda_invocations') - mean('api_requests')} queue batches) | "
        f"{mean('lambda_invocations')} | $0.20 / million | ${cost['Lambda requests']:.5f} |",
        f"| Lambda duration: {mean('billed_ms')} ms billed × 256 MB = {gb_seconds:.4f} GB-s | "
        f"{gb_seconds:.4f} GB-s | $0.0000133334 / GB-s | ${cost['Lambda duration']:.5f} |",
        f"| API Gateway (HTTP API) requests | {mean('api_requests')} | $1.00 / million | "
        f"${cost['API Gateway']:.5f} |",
        f"| DynamoDB write request units ({mean('dynamodb_requests')} requests in all) | "
        f"{mean('wru'):g} | $0.625 / million | ${cost['DynamoDB writes']:.5f} |",
        f"| DynamoDB read request units | {mean('rru'):g} | $0.125 / million | "
        f"${cost['DynamoDB reads']:.5f} |",
        f"| SQS requests ({mean('queue_messages')} messages × 3) | {3 * mean('queue_messages')} | "
        f"$0.40 / million | ${cost['SQS']:.5f} |",
        f"| **total** | | | **${total:.4f}** (goal ≤ ${GOAL_PER_1000:.2f}) |",
        "",
        "Where the money goes, largest first: " + ", ".join(
            f"{k} {v / total:.0%}" for k, v in sorted(cost.items(), key=lambda kv: -kv[1])) + ".",
        "",
        "The median journey's invocations (function: ms): " + ", ".join(
            f"{f} {ms:.1f}" for f, ms in per_order["by_function"]) + ".",
    ]
    return "\n".join(lines), total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=15)
    ap.add_argument("--port", type=int, default=3193)
    ap.add_argument("--prefix", default="bench-cost")
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args()
    stripe = endpoints()["STRIPE_API_BASE"]
    proc, base = start_shop(args.port, args.prefix)
    try:
        email, token = customer(base)
        wait_until_idle(base)
        _, page = call(base, "GET", "/api/v1/products?limit=50&in_stock=true")
        _, categories = call(base, "GET", "/api/v1/categories")
        category = categories[0]["slug"] if categories else ""
        products = []
        for p in page["items"]:
            _, detail = call(base, "GET", f"/api/v1/products/{p['slug']}")
            in_stock = [v["sku"] for v in detail["variants"] if v["stock_status"] == "in_stock"]
            if in_stock:
                products.append((p["slug"], in_stock[0]))
        if len(products) < 5:
            raise SystemExit("the demo catalog has fewer than 5 products in stock")
        counts = []
        for n in range(args.orders):
            chosen = [products[(n + i) % len(products)] for i in range(5)]
            meter(base, reset=True)
            journey(base, stripe, token, email, [s for s, _ in chosen],
                    [sku for _, sku in chosen[:3]], category)
            counts.append(count(meter(base)))
            print(f"order {n + 1}/{args.orders}: {counts[-1]['api_requests']} API requests, "
                  f"{counts[-1]['wru']:g} WRU, {counts[-1]['rru']:g} RRU", file=sys.stderr)
    finally:
        stop(proc)
    # The median journey by cost, so one slow or retried journey does not set the figure.
    per_order = sorted(counts, key=lambda c: sum(dollars_per_1000(c)[0].values()))[len(counts) // 2]
    markdown, total = report(per_order, len(counts), time.strftime("%Y-%m-%d"))
    print(markdown)
    if not args.no_docs:
        write_between(os.path.join(ROOT, "docs", "operations.md"), START, END, markdown)
    spread = [round(sum(dollars_per_1000(c)[0].values()), 4) for c in counts]
    print(f"per 1,000 orders over the journeys: min ${min(spread)}, median "
          f"${statistics.median(spread)}, max ${max(spread)}", file=sys.stderr)


if __name__ == "__main__":
    main()
