"""Every function's cold start against a hello-world floor (`make bench-lambda`).

For each release binary of `functions` and the floor (`bench/floor`, built in the same cargo
run, so with the same profile): the zipped size (`zip -9` of the binary as `bootstrap`, what
Lambda loads), init (exec → the first GET .../invocation/next) and init + first invocation
(exec → the first response), against a minimal Lambda Runtime API on 127.0.0.1. Each function
gets its sample event from events/, with an admin's access token added to HTTP events, and the
emulators' endpoints, so its first invocation makes its real DynamoDB calls against DynamoDB
Local. Runs are interleaved (run 1 of every binary, then run 2, ...) so a busy minute of the
machine weighs on every function alike.

Writes bench/results/lambda.json and the table between the markers in docs/build.md.

    make stack   # the emulators
    make bench-lambda
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from lambda_init import measure  # noqa: E402
from shop import write_between  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BUDGET_ZIPPED = 3_000_000
BUDGET_INIT = 3.0
BUDGET_FIRST = 5.0
JWT_KID = "bench"
ADMIN_ID = "01BENCHADMIN0000000000000"
JWT_SECRET = "bench-signing-secret-0123456789abcdef"
START = "<!-- bench-lambda:start -->"
END = "<!-- bench-lambda:end -->"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def admin_token() -> str:
    """An HS256 access token as the shop issues them (shared/src/auth/jwt.rs)."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT", "kid": JWT_KID}
    claims = {"sub": ADMIN_ID, "role": "admin", "iat": now,
              "exp": now + 3600, "jti": "bench", "ver": 0}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def event_for(name: str, token: str) -> bytes:
    path = ROOT / "events" / f"{name}.json"
    event = json.loads(path.read_text()) if path.exists() else {}
    if "requestContext" in event and "http" in event.get("requestContext", {}):
        event.setdefault("headers", {})["authorization"] = f"Bearer {token}"
    return json.dumps(event).encode()


def zipped_size(binary: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "function.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            info = zipfile.ZipInfo("bootstrap")
            info.external_attr = 0o755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, binary.read_bytes(), compresslevel=9)
        return archive.stat().st_size


def create_table(endpoint: str, name: str):
    import boto3
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=Loader)
    table = next(r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table")
    props = table["Properties"]
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    try:
        client.delete_table(TableName=name)
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=props["AttributeDefinitions"],
                        KeySchema=props["KeySchema"],
                        GlobalSecondaryIndexes=props["GlobalSecondaryIndexes"])
    # The admin the events' access token names (shared/src/store/users.rs), so a route gets
    # past its sign-in check to its own work.
    created = "2026-01-01T00:00:00Z"
    client.put_item(TableName=name, Item={
        "PK": {"S": f"USER#{ADMIN_ID}"}, "SK": {"S": "PROFILE"}, "type": {"S": "user"},
        "GSI1PK": {"S": "USERS"}, "GSI1SK": {"S": f"{created}#{ADMIN_ID}"},
        "GSI2PK": {"S": "ROLE#admin"}, "GSI2SK": {"S": f"{created}#{ADMIN_ID}"},
        "id": {"S": ADMIN_ID}, "email": {"S": "admin@bench.example"}, "role": {"S": "admin"},
        "email_verified": {"BOOL": True}, "created_at": {"S": created},
        "token_version": {"N": "0"}})
    return client


def create_queues_and_bucket(services: str, name: str):
    """The queues and the bucket the environment names, so sends and stores succeed."""
    import boto3

    kw = dict(endpoint_url=services, region_name="us-east-1", aws_access_key_id="local",
              aws_secret_access_key="local")
    sqs = boto3.client("sqs", **kw)
    for queue in (name, f"{name}-images", f"{name}-dlq"):
        sqs.create_queue(QueueName=queue)
    s3 = boto3.client("s3", **kw)
    try:
        s3.create_bucket(Bucket=name)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    boto3.client("sesv2", **kw).create_email_identity(EmailIdentity="shop@example.com")


def environment(args) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        "DYNAMODB_ENDPOINT_URL": args.dynamodb, "AWS_SERVICES_ENDPOINT_URL": args.services,
        "STRIPE_API_BASE": args.stripe,
        "TABLE_NAME": args.table,
        "QUEUE_URL": f"{args.services}/123456789012/{args.table}",
        "IMAGE_QUEUE_URL": f"{args.services}/123456789012/{args.table}-images",
        "DEAD_LETTER_QUEUE_URL": f"{args.services}/123456789012/{args.table}-dlq",
        "BUCKET_NAME": args.table, "EMAIL_FROM": "shop@example.com",
        "PUBLIC_BASE_URL": "https://shop.example.com", "LOG_FORMAT": "json",
        "JWT_SIGNING_KEYS": f"{JWT_KID}={JWT_SECRET}",
        "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
        # As template.yaml's Globals set it on provided.al2023: the one CA bundle file.
        "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
    }


def functions(release: Path) -> list[str]:
    manifest = (ROOT / "functions" / "Cargo.toml").read_text()
    names = [line.split('"')[1] for line in manifest.splitlines() if line.startswith("name = ")]
    return [n for n in names if n != "functions" and (release / n).exists()]


def p50(xs):
    return round(statistics.median(xs), 2)


def table_markdown(rows, floor, meta) -> str:
    lines = [
        f"Measured {meta['date']} by `make bench-lambda` ({meta['runs']} runs each, interleaved; "
        f"{meta['machine']}). The floor is `bench/floor`, hello world on `lambda_runtime`, built "
        f"in the same cargo run: {floor['zipped']:,} B zipped, init p50 {floor['init']} ms, "
        f"init + first response p50 {floor['first']} ms. Budgets: ≤ {BUDGET_ZIPPED:,} B zipped, "
        f"init ≤ {BUDGET_INIT:g}× the floor's, init + first invocation ≤ {BUDGET_FIRST:g}× the "
        "floor's.",
        "",
        "| function | zipped bytes | init p50 | ÷ floor | init + first invocation p50 | ÷ floor | status of the first response |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        over = over_budget(r)
        mark = f" **over: {', '.join(over)}**" if over else ""
        ratio = lambda x: "—" if x is None else f"{x:.2f}×"
        lines.append(
            f"| {r['name']}{mark} | {r['zipped']:,} | {r['init']} ms | {ratio(r['init_ratio'])} | "
            f"{r['first']} ms | {ratio(r['first_ratio'])} | {r['status']} |")
    return "\n".join(lines)


def over_budget(r) -> list[str]:
    over = []
    if r["zipped"] > BUDGET_ZIPPED:
        over.append("size")
    if r["init_ratio"] is None or r["init_ratio"] > BUDGET_INIT:
        over.append("init")
    if r["first_ratio"] is None or r["first_ratio"] > BUDGET_FIRST:
        over.append("first")
    return over


def status_of(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return "?"
    if isinstance(answer, dict) and "statusCode" in answer:
        return str(answer["statusCode"])
    if isinstance(answer, dict) and "batchItemFailures" in answer:
        return f"{len(answer['batchItemFailures'])} failed"
    return "ok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--release", default=str(ROOT / "target" / "release"))
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--only", nargs="*", help="just these functions")
    ap.add_argument("--dynamodb", default=os.environ.get("DYNAMODB_ENDPOINT_URL", "http://127.0.0.1:8000"))
    ap.add_argument("--services", default=os.environ.get("AWS_SERVICES_ENDPOINT_URL", "http://127.0.0.1:5050"))
    ap.add_argument("--stripe", default=os.environ.get("STRIPE_API_BASE", "http://127.0.0.1:8420"))
    ap.add_argument("--table", default="bench-lambda")
    ap.add_argument("--port", type=int, default=19101)
    ap.add_argument("--no-docs", action="store_true", help="do not rewrite docs/build.md")
    args = ap.parse_args()
    release = Path(args.release)
    names = args.only or functions(release)
    create_table(args.dynamodb, args.table)
    create_queues_and_bucket(args.services, args.table)
    env = environment(args)
    token = admin_token()
    binaries = {"lambda_floor": release / "lambda_floor", **{n: release / n for n in names}}
    events = {n: event_for(n, token) for n in binaries}
    sizes = {n: zipped_size(b) for n, b in binaries.items()}
    inits = {n: [] for n in binaries}
    firsts = {n: [] for n in binaries}
    statuses = {}
    for run in range(args.runs):
        for i, (name, binary) in enumerate(binaries.items()):
            try:
                init, first, body = measure(str(binary), events[name], env, args.port + i % 40)
            except SystemExit as e:
                print(f"  {name}: {e}", file=sys.stderr)
                continue
            inits[name].append(init)
            firsts[name].append(first)
            statuses[name] = status_of(body)
        print(f"run {run + 1}/{args.runs}", file=sys.stderr)
    floor = {"zipped": sizes["lambda_floor"], "init": p50(inits["lambda_floor"]),
             "first": p50(firsts["lambda_floor"])}
    rows = []
    for name in names:
        if not inits[name]:
            rows.append({"name": name, "zipped": sizes[name], "init": None, "first": None,
                         "init_ratio": None, "first_ratio": None,
                         "status": "no invocation completed"})
            continue
        init, first = p50(inits[name]), p50(firsts[name])
        rows.append({"name": name, "zipped": sizes[name], "init": init, "first": first,
                     "init_ratio": init / floor["init"], "first_ratio": first / floor["first"],
                     "status": statuses.get(name, "?")})
    meta = {"date": time.strftime("%Y-%m-%d"), "runs": args.runs,
            "machine": f"{os.cpu_count()} cores, {os.uname().machine}"}
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    if not args.only:
        (out / "lambda.json").write_text(json.dumps(
            {"meta": meta, "budgets": {"zipped_bytes": BUDGET_ZIPPED, "init_ratio": BUDGET_INIT,
                                       "first_invocation_ratio": BUDGET_FIRST},
             "floor": floor, "functions": rows}, indent=1) + "\n")
    markdown = table_markdown(rows, floor, meta)
    print(markdown)
    if not args.only and not args.no_docs:
        write_between(ROOT / "docs" / "build.md", START, END, markdown)
    over = [r["name"] for r in rows if over_budget(r)]
    print(f"{len(rows)} functions, {len(over)} over a budget: {', '.join(over) or 'none'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
