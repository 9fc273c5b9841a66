"""Measures the cart on the local server: p50/p99 of `POST /cart/items` and `GET /cart` for a
signed-in customer with a 1-line and a 20-line cart, a try of luck, and the DynamoDB requests
and capacity units behind each (counted from the items' sizes by DynamoDB's rules).

    make bench-cart           # builds, needs the emulators (make stack), prints Markdown tables

It starts `shop-local` (profile bench-local) on 127.0.0.1 with its own table prefix and the
demo catalog, and stops exactly the server process it started.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from catalog import item_size, pct, start_server, stop  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
    return (time.perf_counter() - start) * 1000, (json.loads(raw) if raw else None)


def ddb_client(endpoint):
    import boto3

    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="local", aws_secret_access_key="local")


def rcu(items):
    """Strongly consistent reads: each item's size in 4 KB units, rounded up (BatchGetItem and
    GetItem count per item)."""
    return sum(-(-max(item_size(i), 1) // 4096) for i in items)


def wcu(item):
    return -(-max(item_size(item), 1) // 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--port", type=int, default=3191)
    ap.add_argument("--prefix", default="bench-cart")
    args = ap.parse_args()

    dynamodb = os.environ.get("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000")
    services = os.environ.get("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050")
    env = dict(os.environ, PORT=str(args.port), LOCAL_PREFIX=args.prefix, LOCAL_DEMO_CATALOG="1",
               DYNAMODB_ENDPOINT_URL=dynamodb, AWS_SERVICES_ENDPOINT_URL=services,
               RUST_LOG="warn")
    server = os.path.join(ROOT, "target", "bench-local", "shop-local")
    proc, base = start_server(server, env, args.port)
    try:
        email = f"bench-{time.time_ns()}@example.com"
        _, session = call(base, "POST", "/api/v1/auth/register", body={"email": email, "password": "bench-password-1"})
        token, user_id = session["access_token"], session["user"]["id"]
        _, page = call(base, "GET", "/api/v1/products?limit=100&in_stock=true&sort=price")
        skus = []
        for p in page["items"]:
            _, detail = call(base, "GET", f"/api/v1/products/{p['slug']}")
            skus += [v["sku"] for v in detail["variants"] if v["stock_status"] == "in_stock"][:1]
            if len(skus) == 21:
                break
        timings = {}
        for lines in (1, 20):
            call(base, "DELETE", "/api/v1/cart", token)
            for sku in skus[:lines - 1]:
                call(base, "POST", "/api/v1/cart/items", token, {"sku": sku, "quantity": 1})
            last = skus[lines - 1]
            adds, gets = [], []
            for i in range(args.runs):
                if i % 15 == 0:  # keep the line within its stock
                    call(base, "DELETE", f"/api/v1/cart/items/{last}", token) if i else None
                adds.append(call(base, "POST", "/api/v1/cart/items", token, {"sku": last, "quantity": 1})[0])
                gets.append(call(base, "GET", "/api/v1/cart", token)[0])
            timings[lines] = (adds, gets)
        luck = [call(base, "POST", "/api/v1/coupons/try-luck", token)[0]]
    finally:
        stop(proc)

    ddb = ddb_client(dynamodb)
    get = lambda pk, sk: ddb.get_item(TableName=args.prefix, Key={"PK": {"S": pk}, "SK": {"S": sk}}, ConsistentRead=True).get("Item")
    cart = get(f"CART#user-{user_id}", "CART")
    user = get(f"USER#{user_id}", "PROFILE")
    products = {}
    for line in cart["lines"]["L"]:
        m = line["M"]
        pid, sku = m["target"]["S"], m["sku"]["S"]
        products[sku] = (get(f"PRODUCT#{pid}", "PRODUCT"), get(f"PRODUCT#{pid}", f"VARIANT#{sku}"))
    print("| cart | POST /cart/items p50 | p99 | GET /cart p50 | p99 |")
    print("|---|---|---|---|---|")
    for lines, (adds, gets) in timings.items():
        print(f"| {lines} line{'s' if lines > 1 else ''} | {pct(adds, 50):.1f} ms | {pct(adds, 99):.1f} ms | {pct(gets, 50):.1f} ms | {pct(gets, 99):.1f} ms |")
    print(f"\nA try of luck (first, counted): {luck[0]:.1f} ms\n")
    line_items = [i for pair in products.values() for i in pair]
    print(f"20-line cart item: {item_size(cart)} B; user item {item_size(user)} B; "
          f"a product + variant pair {item_size(line_items[0]) + item_size(line_items[1])} B")
    cart_rcu, user_rcu = rcu([cart]), rcu([user])
    one = line_items[:2]
    print("\n| route | requests | RCU | WCU |")
    print("|---|---|---|---|")
    print(f"| GET /cart, 1 line | 3 (user, cart, BatchGetItem of 2) | {user_rcu + cart_rcu + rcu(one)} | 0 |")
    print(f"| GET /cart, 20 lines | 3 (user, cart, BatchGetItem of 40) | {user_rcu + cart_rcu + rcu(line_items)} | 0 |")
    print(f"| POST /cart/items, 20 lines | 6 (user, sku, BatchGetItem of 2, cart, BatchGetItem of 40, PutItem) | "
          f"{user_rcu + 1 + rcu(one) + cart_rcu + rcu(line_items)} | {wcu(cart)} |")
    print("| a try of luck, losing | 4 (user, claim PutItem, counter UpdateItem, TransactWriteItems of 1) | 1 | 1 + 1 + 2 |")


if __name__ == "__main__":
    main()
