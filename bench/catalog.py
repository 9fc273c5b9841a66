"""Measures the catalog's public reads on a 10,000-product catalog on the local server: p50/p95
of the listing, a search and a product detail, warm and cold (the first request after the
server starts, which loads the catalog index), and the DynamoDB reads behind them.

    make bench-catalog        # builds, starts the emulators if needed, prints a Markdown table

It starts `shop-local` (profile bench-local) on 127.0.0.1 with its own table prefix, fills the
table once with `shopctl generate 10000`, and stops exactly the server processes it started.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ["mug", "tea", "blue", "lamp", "oak", "cotton", "gift", "steel", "sm", "linen"]


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = r.read()
    return (time.perf_counter() - start) * 1000, json.loads(body) if body else None


def start_server(binary, env, port):
    proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            get(base + "/api/v1/health")
            return proc, base
        except Exception:
            if proc.poll() is not None:
                sys.exit("shop-local exited; are the emulators up (make stack)?")
            time.sleep(0.1)
    proc.kill()
    sys.exit("shop-local did not answer within 60 s")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def requests_of(base, slugs, rng):
    return {
        "listing": lambda: f"{base}/api/v1/products?sort={rng.choice(['-created_at', 'price', '-rating', 'name'])}&limit=20",
        "search": lambda: f"{base}/api/v1/products?q={rng.choice(WORDS)}&limit=20",
        "detail": lambda: f"{base}/api/v1/products/{rng.choice(slugs)}",
    }


def capacity(endpoint, table):
    """What loading the index reads, from DynamoDB Local's ConsumedCapacity and from item
    sizes (DynamoDB's rule: per page, bytes / 4 KB rounded up, halved when eventually
    consistent)."""
    import boto3

    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    out = {}
    for pk in ["PRODUCTS#active", "PRODUCTS#draft", "PRODUCTS#archived", "VARIANTS", "CATEGORIES"]:
        reported = counted = 0.0
        items = pages = size = 0
        start = None
        while True:
            args = dict(TableName=table, IndexName="GSI1", KeyConditionExpression="GSI1PK = :pk",
                        ExpressionAttributeValues={":pk": {"S": pk}}, ReturnConsumedCapacity="TOTAL")
            if start:
                args["ExclusiveStartKey"] = start
            page = ddb.query(**args)
            reported += page.get("ConsumedCapacity", {}).get("CapacityUnits", 0)
            page_bytes = sum(item_size(i) for i in page["Items"])
            counted += -(-page_bytes // 4096) * 0.5
            size += page_bytes
            items += len(page["Items"])
            pages += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        out[pk] = dict(items=items, pages=pages, bytes=size, reported=reported, counted=counted)
    return out


def item_size(item):
    """An item's size as DynamoDB counts it: attribute names plus values."""
    def value(v):
        (kind, x), = v.items()
        if kind == "S":
            return len(x.encode())
        if kind == "N":
            return len(x.lstrip("-").replace(".", "")) // 2 + 2
        if kind == "BOOL" or kind == "NULL":
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value(w) + 1 for k, w in x.items())
        if kind == "L":
            return 3 + sum(value(w) + 1 for w in x)
        if kind == "SS":
            return sum(len(s.encode()) for s in x)
        return len(json.dumps(x))
    return sum(len(k.encode()) + value(v) for k, v in item.items())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=10_000)
    ap.add_argument("--warm", type=int, default=300, help="warm requests per kind")
    ap.add_argument("--cold", type=int, default=5, help="server starts per kind")
    ap.add_argument("--port", type=int, default=3190)
    ap.add_argument("--prefix", default="bench-catalog")
    args = ap.parse_args()

    dynamodb = os.environ.get("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000")
    services = os.environ.get("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050")
    target = os.path.join(ROOT, "target", "bench-local")
    env = dict(os.environ, PORT=str(args.port), LOCAL_PREFIX=args.prefix, LOCAL_DEMO_CATALOG="0",
               DYNAMODB_ENDPOINT_URL=dynamodb, AWS_SERVICES_ENDPOINT_URL=services,
               RUST_LOG="warn")

    server = os.path.join(target, "shop-local")
    proc, base = start_server(server, env, args.port)
    try:
        _, listed = get(f"{base}/api/v1/products?limit=100")
    finally:
        stop(proc)
    if not listed["items"]:
        print(f"filling {args.prefix} with {args.products} products ...", file=sys.stderr)
        subprocess.run([os.path.join(target, "shopctl"), "--table", args.prefix, "--endpoint-url",
                        dynamodb, "--quiet", "generate", str(args.products)], check=True, env=env)
        proc, base = start_server(server, env, args.port)
        try:
            _, listed = get(f"{base}/api/v1/products?limit=100")
        finally:
            stop(proc)
    slugs = [p["slug"] for p in listed["items"]]

    rng = random.Random(7)
    cold = {k: [] for k in ["listing", "search", "detail"]}
    for kind in cold:
        for _ in range(args.cold):
            proc, base = start_server(server, env, args.port)
            try:
                url = requests_of(base, slugs, rng)[kind]()
                ms, _ = get(url)
                cold[kind].append(ms)
            finally:
                stop(proc)

    proc, base = start_server(server, env, args.port)
    try:
        total = 0
        cursor = None
        while True:
            _, page = get(f"{base}/api/v1/products?limit=100" + (f"&cursor={cursor}" if cursor else ""))
            total += len(page["items"])
            slugs.extend(p["slug"] for p in page["items"][:5])
            cursor = page["next_cursor"]
            if not cursor:
                break
        warm = {}
        for kind, make in requests_of(base, slugs, rng).items():
            warm[kind] = [get(make())[0] for _ in range(args.warm)]
    finally:
        stop(proc)

    print(f"Active products listed: {total}\n")
    print("| request | warm p50 | warm p95 | cold (first after start) p50 | cold max |")
    print("|---|---|---|---|---|")
    for kind in ["listing", "search", "detail"]:
        w, c = warm[kind], cold[kind]
        print(f"| {kind} | {pct(w, 50):.1f} ms | {pct(w, 95):.1f} ms | {pct(c, 50):.0f} ms | {max(c):.0f} ms |")
    print()
    print("| index load reads | items | pages | bytes | RCU counted | RCU DynamoDB Local reported |")
    print("|---|---|---|---|---|---|")
    for pk, r in capacity(dynamodb, args.prefix).items():
        print(f"| GSI1 `{pk}` | {r['items']} | {r['pages']} | {r['bytes']} | {r['counted']:.1f} | {r['reported']:.1f} |")


if __name__ == "__main__":
    main()
