"""Measures checkout on the local server: p50/p99 of `POST /checkout` for a signed-in customer
with 1, 5 and 20 cart lines (the PaymentIntent made on localstripe included), and the DynamoDB
requests and capacity units behind a checkout of each size (the least of five readings) and behind the payment's
follow-up (localstripe's signed `payment_intent.succeeded` → the webhook → the worker), as
DynamoDB Local reports them to the local server's meter (`GET /_local/dynamodb`).

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
from cart import call  # noqa: E402
from catalog import pct, start_server, stop  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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

    dynamodb = os.environ.get("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000")
    services = os.environ.get("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050")
    stripe = os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420")
    env = dict(os.environ, PORT=str(args.port), LOCAL_PREFIX=args.prefix, LOCAL_DEMO_CATALOG="1",
               DYNAMODB_ENDPOINT_URL=dynamodb, AWS_SERVICES_ENDPOINT_URL=services,
               STRIPE_API_BASE=stripe, RUST_LOG="warn")
    server = os.path.join(ROOT, "target", "bench-local", "shop-local")
    proc, base = start_server(server, env, args.port)
    try:
        email = f"bench-{time.time_ns()}@example.com"
        _, session = call(base, "POST", "/api/v1/auth/register",
                          body={"email": email, "password": "bench-password-1"})
        token = session["access_token"]
        _, page = call(base, "GET", "/api/v1/products?limit=100&in_stock=true&sort=price")
        skus = []
        for p in page["items"]:
            _, detail = call(base, "GET", f"/api/v1/products/{p['slug']}")
            skus += [v["sku"] for v in detail["variants"] if v["stock_status"] == "in_stock"][:1]
            if len(skus) == 20:
                break
        timings, costs = {}, {}
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


if __name__ == "__main__":
    main()
