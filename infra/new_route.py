#!/usr/bin/env python3
"""Adds the deployment pieces of a route whose handler exists in shared/src/api/NAME.rs:
its binary (functions/src/bin/NAME.rs and a [[bin]] entry), its sample event (events/NAME.json)
and its function in template.yaml. tests/api/drift.rs then checks that all of them agree.

    python3 infra/new_route.py cart_get GET /api/v1/cart --needs table-read,access-tokens
    needs (as in the route's ROUTE.needs, shared/src/need.rs): table-read, table-write, queue,
    image-queue, mailer, blobs (clients: each an IAM policy), access-tokens, links, google,
    stripe, stripe-webhook (settings)

Each need brings its policy and its environment variables, and nothing else: the same mapping
as `Need::policy` and `Need::variables` in shared/src/need.rs (the drift test compares them).
"""
import argparse
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
POLICIES = {
    "table-read": "- DynamoDBReadPolicy: { TableName: !Ref Table }",
    "table-write": "- DynamoDBCrudPolicy: { TableName: !Ref Table }",
    "queue": "- SQSSendMessagePolicy: { QueueName: !GetAtt WorkQueue.QueueName }",
    "image-queue": "- SQSSendMessagePolicy: { QueueName: !GetAtt ImageQueue.QueueName }",
    "mailer": "- SESCrudPolicy: { IdentityName: !Ref EmailFrom }",
    "blobs": "- S3CrudPolicy: { BucketName: !Ref ImagesBucket }",
}
VARIABLES = {
    "table-read": [("TABLE_NAME", "!Ref Table")], "table-write": [("TABLE_NAME", "!Ref Table")],
    "queue": [("QUEUE_URL", "!Ref WorkQueue")],
    "image-queue": [("IMAGE_QUEUE_URL", "!Ref ImageQueue")],
    "mailer": [("EMAIL_FROM", "!Ref EmailFrom"), ("SHOP_NAME", "!Ref ShopName")],
    "blobs": [("BUCKET_NAME", "!Ref ImagesBucket")],
    "access-tokens": [("JWT_SIGNING_KEYS", "!Ref JwtSigningKeys")],
    "links": [("PUBLIC_BASE_URL", "!Ref PublicBaseUrl")],
    "google": [("GOOGLE_CLIENT_ID", "!Ref GoogleClientId")],
    "stripe": [("STRIPE_SECRET_KEY", "!Ref StripeSecretKey")],
    "stripe-webhook": [("STRIPE_WEBHOOK_SECRET", "!Ref StripeWebhookSecret")],
}
BUILDERS = {
    "table-read": ".with_reader(env.reader().await)", "table-write": ".with_table(env.table().await)",
    "queue": ".with_queue(env.queue().await)", "mailer": ".with_mailer(env.mailer().await)", "blobs": ".with_blobs(env.blobs().await)",
    "image-queue": ".with_image_queue(env.image_queue().await)",
    "stripe": ".with_stripe(env.stripe())",
}


def pascal(name):
    return "".join(w.capitalize() for w in name.split("_")) + "Function"


def http_event(method, path):
    concrete = "/".join("placeholder" if s.startswith("{") else s for s in path.split("/"))
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": concrete, "rawQueryString": "",
        "headers": {"accept": "application/json", "content-type": "application/json",
                    "host": "abc123.execute-api.eu-west-2.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-2.amazonaws.com", "domainPrefix": "abc123",
            "http": {"method": method, "path": concrete, "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.10", "userAgent": "curl/8.5.0"},
            "requestId": "JKJaXmPLvHcESHA=", "routeKey": f"{method} {path}", "stage": "$default",
            "time": "25/Nov/2026:01:00:00 +0000", "timeEpoch": 1795568400000,
        },
        "isBase64Encoded": False,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("method")
    ap.add_argument("path")
    ap.add_argument("--needs", default="")
    ap.add_argument("--body", default=None, help="a JSON body for the sample event")
    a = ap.parse_args()
    needs = [n for n in a.needs.split(",") if n]
    unknown = [n for n in needs if n not in VARIABLES]
    if unknown:
        ap.error(f"unknown needs {unknown}; known: {', '.join(VARIABLES)}")
    if "table-write" in needs and "table-read" in needs:
        needs.remove("table-read")  # the read-write table serves reads too
    method = a.method.upper()

    main_rs = ROOT / "functions" / "src" / "bin" / f"{a.name}.rs"
    state = "env.state()" + "".join(dict.fromkeys(BUILDERS[n] for n in needs if n in BUILDERS))
    main_rs.write_text(
        f"//! {method} {a.path} — handler: shop::api::{a.name}\n"
        "use shop::{api, lambda};\n\n"
        "#[tokio::main(flavor = \"current_thread\")]\n"
        "async fn main() -> Result<(), lambda::Error> {\n"
        f"    let env = lambda::Env::load(api::{a.name}::ROUTE.needs).await?;\n"
        f"    lambda::serve(api::{a.name}::ROUTE.needs, api::{a.name}::ROUTE.serve, {state}).await\n"
        "}\n")

    cargo = ROOT / "functions" / "Cargo.toml"
    text = cargo.read_text()
    entry = f'[[bin]]\nname = "{a.name}"\npath = "src/bin/{a.name}.rs"\ntest = false\n\n'
    if f'name = "{a.name}"' not in text:
        text = text.replace("[lints]", entry + "[lints]")
        cargo.write_text(text)

    event = http_event(method, a.path)
    if a.body is not None:
        event["body"] = a.body
    (ROOT / "events" / f"{a.name}.json").write_text(json.dumps(event, indent=2) + "\n")

    template = ROOT / "template.yaml"
    text = template.read_text()
    fid = pascal(a.name)
    if f"  {fid}:\n" not in text:
        policies = "".join(f"        {POLICIES[n]}\n" for n in dict.fromkeys(needs) if n in POLICIES)
        variables = "".join(f"          {k}: {v}\n" for k, v in dict.fromkeys(kv for n in needs for kv in VARIABLES[n]))
        block = (
            f"  {fid}:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            f"      CodeUri: target/lambda/{a.name}/\n"
            + (f"      Environment:\n        Variables:\n{variables}" if variables else "")
            + (f"      Policies:\n{policies}" if policies else "")
            + f"      Events:\n        Api:\n          Type: HttpApi\n          Properties:\n"
            f"            ApiId: !Ref HttpApi\n            Method: {method}\n            Path: {a.path}\n\n")
        marker = "  # --- Background functions ---"
        text = text.replace(marker, block + marker)
        template.write_text(text)
    print(f"added {a.name}: {main_rs.relative_to(ROOT)}, events/{a.name}.json, {fid} in template.yaml")
    print("once the handler is written: `make openapi` (the functions serve shared/openapi.json)")


if __name__ == "__main__":
    main()
