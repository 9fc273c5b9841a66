"""Measures checkout on the local server: p50/p99 of `POST /checkout` for a signed-in customer
with 1, 5 and 20 cart lines (the PaymentIntent made on localstripe included), and the DynamoDB
requests and capacity units behind a checkout of each size (the least of five readings) and behind the payment's
follow-up (localstripe's signed `payment_intent.succeeded` → the webhook → the worker), as
DynamoDB Local reports them to the local server's meter (`GET /_local/dynamodb`).

DynamoDB Local adds a transaction's item sizes before rounding, so it understates what AWS
bills (../shared/brief/LOCAL-STACK.md). The checkout transaction is therefore also counted as
AWS counts it, per item from the items' sizes read back with boto3: 2 WCU per started KB of
each item it writes (each sku's variant, the order's head), and apart from that the copies the
indexes get (the head on three, a variant on the catalog index), 1 WCU per started KB each.

    make bench-checkout       # builds, needs the emulators (make stack), prints Markdown tables

It starts `shop-local` (profile bench-local) on 127.0.0.1 with its own table prefix and the
demo catalog, and stops exactly the server process it started.
"""
import argparse
import os
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cart import call, ddb_client, wcu  # noqa: E402
from catalog import pct, stop  # noqa: E402
from shop import customer, endpoints, start_shop  # noqa: E402

ADDRESS = {"name": "Bench Buyer", "line1": "1 Test Street", "city": "London",
           "postcode": "N1 9GU", "country": "GB"}


def meter(base, reset=False):
    if reset:
        return call(base, "DELETE", "/_local/dynamodb")
    return call(base, "GET", "/_local/dynamodb")[1]


def summary(reading):
    """`n: GetItem ×2 (1.0), ...` in the order first seen, and the total capacity."""
    seen = {}
    for c in reading["calls"]:
        count, units = seen.get(c["operation"], (0, 0.0))
        seen[c["operation"]] = (count + 1, units + (c["capacity_units"] or 0.0))
    parts = [f"{op} ×{n} ({u:g})" if n > 1 else f"{op} ({u:g})" for op, (n, u) in seen.items()]
    return reading["requests"], ", ".join(parts), reading["capacity_units"]


def value_size(v):
    """An attribute value's size as DynamoDB counts it (the same rules as the test suite's)."""
    (kind, x), = v.items()
    if kind in ("S", "B"):
        return len(x.encode() if kind == "S" else x)
    if kind == "N":
        digits = x.lstrip("-").replace(".", "").strip("0")
        return (max(len(digits), 1) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(e) for e in x)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(e) for k, e in x.items())
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: e}) for e in x)
    raise ValueError(kind)


def item_size(item):
    return sum(len(k.encode()) + value_size(v) for k, v in item.items())


def transaction_units(dynamodb, table, product_ids, order_id):
    """(table WCU of the checkout transaction counted per item, index WCU, the items' sizes)."""
    client = ddb_client(dynamodb)

    def get(pk, sk):
        return client.get_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}},
                               ConsistentRead=True)["Item"]
    variants = [get(f"PRODUCT#{pid}", f"VARIANT#{sku}") for sku, pid in product_ids]
    head = get(f"ORDER#{order_id}", "ORDER")
    # As the transaction wrote it: the PaymentIntent's id and secret are set after.
    for field in ("intent_id", "client_secret"):
        head["payment"]["M"].pop(field, None)
    table_units = sum(2 * wcu(v) for v in variants) + 2 * wcu(head)
    indexes = 3 if "GSI1PK" in head else 2
    index_units = sum(wcu(v) for v in variants) + indexes * wcu(head)
    return table_units, index_units, max(item_size(v) for v in variants), item_size(head)


def stripe_post(stripe, path, form):
    data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(stripe + path, data=data, method="POST")
    req.add_header("authorization", "Bearer sk_test_local")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--port", type=int, default=3192)
    ap.add_argument("--prefix", default="bench-checkout")
    args = ap.parse_args()

    dynamodb, stripe = endpoints()["DYNAMODB_ENDPOINT_URL"], endpoints()["STRIPE_API_BASE"]
    proc, base = start_shop(args.port, args.prefix)
    try:
        email, token = customer(base)
        _, page = call(base, "GET", "/api/v1/products?limit=100&in_stock=true&sort=price")
        skus, product_of = [], {}
        for p in page["items"]:
            _, detail = call(base, "GET", f"/api/v1/products/{p['slug']}")
            for v in [v for v in detail["variants"] if v["stock_status"] == "in_stock"][:1]:
                skus.append(v["sku"])
                product_of[v["sku"]] = detail["id"]
            if len(skus) == 20:
                break
        timings, costs, per_item = {}, {}, {}
        for lines in (1, 5, 20):
            times = []
            for i in range(args.runs):
                # Clearing the cart releases the last run's pending order (stock back).
                call(base, "DELETE", "/api/v1/cart", token)
                for sku in skus[:lines]:
                    call(base, "POST", "/api/v1/cart/items", token, {"sku": sku, "quantity": 1})
                meter(base, reset=True)
                ms, answer = call(base, "POST", "/api/v1/checkout", token,
                                  {"shipping_address": ADDRESS})
                times.append(ms)
                if i < 5:
                    costs.setdefault(lines, []).append(summary(meter(base)))
                if i == 0:
                    per_item[lines] = transaction_units(
                        dynamodb, args.prefix, [(s, product_of[s]) for s in skus[:lines]],
                        answer["order"]["id"])
            timings[lines] = times
            # The least of five readings: a background task (the schedule, the worker) may
            # add requests to a reading, never take them away.
            costs[lines] = min(costs[lines], key=lambda r: (r[0], r[2]))
        # The last order is paid on localstripe; its signed event reaches the webhook, and the
        # worker marks the order paid and mails the confirmation.
        intent = answer["payment"]["payment_intent_id"]
        meter(base, reset=True)
        stripe_post(stripe, f"/v1/payment_intents/{intent}", {"payment_method": "pm_card_visa"})
        stripe_post(stripe, f"/v1/payment_intents/{intent}/confirm", {})
        deadline = time.time() + 30
        while time.time() < deadline:
            _, mails = call(base, "GET", "/_local/emails?to=" + urllib.parse.quote(email))
            if any("confirmed" in m["subject"] for m in mails):
                break
            time.sleep(0.2)
        else:
            raise SystemExit("the confirmation never came")
        time.sleep(0.5)
        follow_up = summary(meter(base))
    finally:
        stop(proc)

    print("| cart | POST /checkout p50 | p99 |")
    print("|---|---|---|")
    for lines, times in timings.items():
        print(f"| {lines} line{'s' if lines > 1 else ''} | {pct(times, 50):.1f} ms | {pct(times, 99):.1f} ms |")
    print("\n| what | requests | by operation (capacity units) | capacity units |")
    print("|---|---|---|---|")
    for lines, (n, parts, units) in costs.items():
        print(f"| checkout, {lines} line{'s' if lines > 1 else ''} | {n} | {parts} | {units:g} |")
    n, parts, units = follow_up
    print(f"| payment follow-up (webhook + worker, 20-line order) | {n} | {parts} | {units:g} |")
    print("\n| cart | transaction, per item (2 WCU per KB of each) | bound 2·(k+3) | index copies "
          "(1 WCU per KB each) | largest variant | order head |")
    print("|---|---|---|---|---|---|")
    for lines, (units, index_units, variant, head) in per_item.items():
        print(f"| {lines} line{'s' if lines > 1 else ''} | {units} | {2 * (lines + 3)} | "
              f"{index_units} | {variant} B | {head} B |")


if __name__ == "__main__":
    main()
