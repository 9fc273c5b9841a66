"""What the order benches share: the local server started on the emulators with the demo
catalog, a signed-in customer allowed to check out without limit, and a table written into a
doc between its markers.
"""
import os
import time

from cart import call
from catalog import start_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = "bench-admin-password-1"


def endpoints():
    """The emulators' endpoints, from the environment (`make stack`'s ports by default)."""
    return {
        "DYNAMODB_ENDPOINT_URL": os.environ.get("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000"),
        "AWS_SERVICES_ENDPOINT_URL": os.environ.get("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050"),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420"),
    }


def start_shop(port, prefix):
    """`shop-local` (the bench-local build) on 127.0.0.1:`port` with its own table prefix and the
    demo catalog: (the process, its base URL). Stop exactly that process with catalog.stop."""
    env = dict(os.environ, PORT=str(port), LOCAL_PREFIX=prefix, LOCAL_DEMO_CATALOG="1",
               RUST_LOG="warn", LOCAL_ADMIN_PASSWORD=ADMIN_PASSWORD, **endpoints())
    return start_server(os.path.join(ROOT, "target", "bench-local", "shop-local"), env, port)


def wait_until_idle(base, quiet=2.0, limit=600):
    """Waits until the server's background work (the demo catalog's images, resized by the
    images worker) is over: no DynamoDB request for `quiet` seconds. Its CPU would otherwise be
    counted against the requests measured."""
    deadline = time.time() + limit
    while time.time() < deadline:
        call(base, "DELETE", "/_local/dynamodb")
        time.sleep(quiet)
        if not call(base, "GET", "/_local/dynamodb")[1]["calls"]:
            return
    raise SystemExit(f"the local server was still busy after {limit} s")


def customer(base):
    """A new customer's (email, access token). One customer checks out hundreds of times, so the
    admin lifts the shop's checkouts-per-hour limit first."""
    _, signed = call(base, "POST", "/api/v1/auth/login",
                     body={"email": "admin@shop.example", "password": ADMIN_PASSWORD})
    _, current = call(base, "GET", "/api/v1/admin/settings", signed["access_token"])
    current["limits"]["checkouts_per_hour"] = 1_000_000
    call(base, "PUT", "/api/v1/admin/settings", signed["access_token"], current)
    email = f"bench-{time.time_ns()}@example.com"
    _, session = call(base, "POST", "/api/v1/auth/register",
                      body={"email": email, "password": "bench-password-1"})
    return email, session["access_token"]


def write_between(doc, start, end, text):
    """Replaces what lies between the markers `start` and `end` in `doc` with `text`."""
    with open(doc) as f:
        content = f.read()
    if start not in content or end not in content:
        raise SystemExit(f"{doc} has no {start} … {end} markers")
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    with open(doc, "w") as f:
        f.write(f"{head}{start}\n{text}\n{end}{tail}")
