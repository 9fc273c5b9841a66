"""Our own CPU time and allocations per request on the warm path (`make bench-warm`).

The local server (`bench-local` build: optimised, symbols kept) serves the browse / cart /
checkout mix on the emulators; for each route, N requests are made one after another, and the
server process's own CPU time (user + system, from /proc/<pid>/stat: not wall time, and not the
emulators' CPU, which stands for DynamoDB's and Stripe's) and heap allocations (the server's
counting allocator, `GET /_local/allocations`) are read before and after. A request's CPU is
what Lambda would bill beyond waiting: routing, JSON, pricing, building and signing the AWS
requests, parsing their answers.

The mix is the order journey of `make bench-cost`: 2 listings, 5 product pages, 3 items added,
the cart viewed twice, one checkout. Goal: ≤ 150 µs of our own CPU per request over the mix.
Each row also counts the DynamoDB calls a request makes (the server's meter), and a pair of
routes that differ by one GetItem (health, me) shows what one call costs.

    make stack && make bench-warm
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cart import call  # noqa: E402
from catalog import stop  # noqa: E402
from checkout import ADDRESS  # noqa: E402
from shop import customer, start_shop, wait_until_idle  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
MIX = {"listing": 2, "product page": 5, "add to cart": 3, "view cart": 2, "checkout": 1}
GOAL_US = 150


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def allocations(base):
    return call(base, "GET", "/_local/allocations")[1]["allocations"]


def dynamodb_calls(base):
    """The DynamoDB requests the server made since the meter was last reset (all of them: the
    meter keeps only the last 10,000 calls' details, but counts every one)."""
    return call(base, "GET", "/_local/dynamodb")[1]["requests"]


def measure(base, pid, n, request):
    """(CPU µs, allocations, wall ms, DynamoDB calls), each per request, over n requests."""
    request()  # warm: the first request of a route fills caches
    call(base, "DELETE", "/_local/dynamodb")
    cpu0, alloc0, wall0 = cpu_seconds(pid), allocations(base), time.perf_counter()
    for _ in range(n):
        request()
    wall = time.perf_counter() - wall0
    # The allocations route's own allocations are counted once; small against n requests.
    cpu, allocs = cpu_seconds(pid) - cpu0, allocations(base) - alloc0
    return cpu / n * 1e6, allocs / n, wall / n * 1000, dynamodb_calls(base) / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400, help="per route")
    ap.add_argument("--port", type=int, default=3194)
    ap.add_argument("--prefix", default="bench-warm")
    args = ap.parse_args()
    proc, base = start_shop(args.port, args.prefix)
    try:
        _, token = customer(base)
        wait_until_idle(base)
        _, page = call(base, "GET", "/api/v1/products?limit=50&in_stock=true")
        slugs = [p["slug"] for p in page["items"]]
        sku = None
        for slug in slugs:
            _, detail = call(base, "GET", f"/api/v1/products/{slug}")
            sku = next((v["sku"] for v in detail["variants"] if v["stock_status"] == "in_stock"), None)
            if sku:
                break
        state = {"i": 0}

        def product_page():
            state["i"] += 1
            call(base, "GET", f"/api/v1/products/{slugs[state['i'] % len(slugs)]}")

        def add_to_cart():
            # Set, not add: the quantity stays 1, so stock never runs out.
            call(base, "DELETE", "/api/v1/cart", token)
            call(base, "POST", "/api/v1/cart/items", token, {"sku": sku, "quantity": 1})

        def checkout():
            call(base, "POST", "/api/v1/cart/items", token, {"sku": sku, "quantity": 1})
            call(base, "POST", "/api/v1/checkout", token, {"shipping_address": ADDRESS})
            # Clearing the cart releases the pending order's stock for the next round.
            call(base, "DELETE", "/api/v1/cart", token)

        clear = lambda: call(base, "DELETE", "/api/v1/cart", token)
        routes = {
            "listing": lambda: call(base, "GET", "/api/v1/products?limit=20&sort=price"),
            "product page": product_page,
            "add to cart": add_to_cart,
            "view cart": lambda: call(base, "GET", "/api/v1/cart", token),
            "checkout": checkout,
            # A pair that differs by one DynamoDB call: what one call costs us.
            "health (no AWS call)": lambda: call(base, "GET", "/api/v1/health"),
            "me (one GetItem)": lambda: call(base, "GET", "/api/v1/me", token),
        }
        # The composite steps include a cart clear (and an add for checkout): measured apart
        # and taken off, so each row is its one route.
        results = {"clear cart": measure(base, proc.pid, args.requests, clear)}
        minus = lambda a, b: tuple(x - y for x, y in zip(a, b))
        for name, request in routes.items():
            row = measure(base, proc.pid, args.requests, request)
            if name == "add to cart":
                row = minus(row, results["clear cart"])
            if name == "checkout":
                row = minus(minus(row, results["clear cart"]), results["add to cart"])
            results[name] = row
    finally:
        stop(proc)
    print(f"Measured {time.strftime('%Y-%m-%d')} by `make bench-warm` ({args.requests} requests "
          f"per route, one at a time, `bench-local` build, {os.cpu_count()} cores).\n")
    print("| route | our CPU per request | DynamoDB calls per request | allocations per request | wall per request (emulators included) |")
    print("|---|---|---|---|---|")
    for name, (cpu, allocs, wall, calls) in results.items():
        print(f"| {name} | {cpu:.0f} µs | {calls:.1f} | {allocs:.0f} | {wall:.2f} ms |")
    weight = sum(MIX.values())
    mix = lambda column: sum(results[k][column] * w for k, w in MIX.items()) / weight
    one_call = results["me (one GetItem)"][0] - results["health (no AWS call)"][0]
    print(f"\nThe journey's mix ({', '.join(f'{w} × {k}' for k, w in MIX.items())}): "
          f"**{mix(0):.0f} µs of our own CPU per request** (goal ≤ {GOAL_US} µs), with "
          f"{mix(3):.1f} DynamoDB calls per request.")
    print(f"\nOne DynamoDB call costs about **{one_call:.0f} µs of our CPU** (me less health: one "
          f"GetItem, a token check and a small answer more; the SDK builds, signs and sends the "
          f"call and parses its answer): the mix's {mix(3):.1f} calls are about "
          f"{one_call * mix(3):.0f} µs of its {mix(0):.0f} µs per request.")


if __name__ == "__main__":
    main()
