"""Uploads the built admin console (admin/dist) to its bucket, as `make deploy` does after
`sam deploy`: every file under admin/ with its content type, hashed assets cached for a year,
index.html and config.json (the API's URL, which the app reads at start) never cached, files
of an older build removed, and CloudFront told to drop its copies of the two uncached files.

    .venv/bin/python infra/deploy_admin.py                 # from the stack's outputs
    .venv/bin/python infra/deploy_admin.py --bucket B --api-url U [--endpoint-url E]

The second form skips CloudFormation and CloudFront (the project's test uploads to moto).
"""

import argparse
import json
import mimetypes
import pathlib
import sys
import time

import boto3

PREFIX = "admin/"
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"


def stack_outputs(stack: str) -> dict:
    stacks = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def content_type(path: pathlib.Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix == ".js":
        return "text/javascript; charset=utf-8"
    if guessed and guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed or "application/octet-stream"


def upload(s3, bucket: str, dist: pathlib.Path, api_url: str) -> list[str]:
    if not (dist / "index.html").is_file():
        sys.exit(f"{dist}/index.html is missing: build the console first (infra/admin.sh build)")
    keys = []
    # Assets first, index.html last: a browser never gets a page whose scripts are not there yet.
    files = sorted((p for p in dist.rglob("*") if p.is_file()), key=lambda p: p.name == "index.html")
    for path in files:
        key = PREFIX + path.relative_to(dist).as_posix()
        cache = IMMUTABLE if "/assets/" in f"/{path.relative_to(dist).as_posix()}" else NO_CACHE
        s3.put_object(
            Bucket=bucket, Key=key, Body=path.read_bytes(),
            ContentType=content_type(path), CacheControl=cache,
        )
        keys.append(key)
    config = json.dumps({"api_url": api_url.rstrip("/")}).encode()
    s3.put_object(
        Bucket=bucket, Key=PREFIX + "config.json", Body=config,
        ContentType="application/json", CacheControl=NO_CACHE,
    )
    keys.append(PREFIX + "config.json")
    # What an older build left behind.
    stale = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        stale += [o["Key"] for o in page.get("Contents", []) if o["Key"] not in keys]
    for i in range(0, len(stale), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[i:i + 1000]]})
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="shop-api", help="the SAM stack (samconfig.toml's stack_name)")
    parser.add_argument("--bucket")
    parser.add_argument("--api-url")
    parser.add_argument("--endpoint-url", help="an S3 endpoint other than AWS's (moto in tests)")
    parser.add_argument("--dist", default=str(pathlib.Path(__file__).resolve().parent.parent / "admin" / "dist"))
    args = parser.parse_args()

    distribution = None
    if args.bucket and args.api_url:
        bucket, api_url = args.bucket, args.api_url
    else:
        out = stack_outputs(args.stack)
        bucket, api_url = out["AdminConsoleBucketName"], out["ApiUrl"]
        distribution = out["AdminConsoleDistributionId"]
    s3 = boto3.client("s3", endpoint_url=args.endpoint_url)
    keys = upload(s3, bucket, pathlib.Path(args.dist), api_url)
    print(f"uploaded {len(keys)} files to s3://{bucket}/{PREFIX} (API {api_url})")
    if distribution:
        boto3.client("cloudfront").create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={
                "Paths": {"Quantity": 2, "Items": ["/admin/index.html", "/admin/config.json"]},
                "CallerReference": str(time.time()),
            },
        )
        print(f"console: {stack_outputs(args.stack)['AdminConsoleUrl']}")


if __name__ == "__main__":
    main()
