"""Measures a Lambda binary's cold start locally: exec → its first GET .../invocation/next
(init), and → its first response (first invoke), against a minimal Lambda Runtime API served
on 127.0.0.1. Prints p50/p90 over N runs.

    .venv/bin/python bench/lambda_init.py target/release/health events/health.json --runs 25
"""
import argparse
import json
import os
import statistics
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def measure(binary, event, env, port):
    marks = {}
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.endswith("/invocation/next"):
                if "next" in marks:  # second poll: the first invoke is over; hold it
                    done.wait(5)
                    self.send_response(500)
                    self.end_headers()
                    return
                marks["next"] = time.perf_counter()
                body = event
                self.send_response(200)
                self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:eu-west-2:123456789012:function:bench")
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            marks["body"] = self.rfile.read(length)
            marks.setdefault("response", time.perf_counter())
            self.send_response(202)
            self.end_headers()
            done.set()

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started = time.perf_counter()
    proc = subprocess.Popen([binary], env={**env, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done.wait(10)
    proc.kill()
    proc.wait()
    server.shutdown()
    server.server_close()
    if "next" not in marks or "response" not in marks:
        raise SystemExit(f"{binary} did not complete an invocation")
    return (marks["next"] - started) * 1000, (marks["response"] - started) * 1000, marks["body"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("event")
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--port", type=int, default=19001)
    args = ap.parse_args()
    event = open(args.event, "rb").read()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "AWS_REGION": "eu-west-2",
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "TABLE_NAME": "shop", "QUEUE_URL": "https://sqs.eu-west-2.amazonaws.com/123456789012/shop",
        "IMAGE_QUEUE_URL": "https://sqs.eu-west-2.amazonaws.com/123456789012/shop-images",
        "BUCKET_NAME": "shop-images", "EMAIL_FROM": "shop@example.com",
        "PUBLIC_BASE_URL": "https://shop.example.com", "LOG_FORMAT": "json",
        "JWT_SIGNING_KEYS": "bench=bench-signing-secret-0123456789abcdef",
        "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_WEBHOOK_SECRET": "whsec_bench",
    }
    inits, firsts = [], []
    body = b""
    for i in range(args.runs):
        init, first, body = measure(args.binary, event, env, args.port + i % 50)
        inits.append(init)
        firsts.append(first)
    q = lambda xs, p: statistics.quantiles(xs, n=10)[p // 10 - 1] if len(xs) >= 10 else max(xs)
    print(json.dumps({
        "binary": os.path.basename(args.binary), "runs": args.runs,
        "init_ms_p50": round(statistics.median(inits), 2), "init_ms_p90": round(q(inits, 90), 2),
        "first_response_ms_p50": round(statistics.median(firsts), 2),
        "first_response_ms_p90": round(q(firsts, 90), 2),
        "response_sample": body[:120].decode("utf-8", "replace"),
    }))


if __name__ == "__main__":
    main()
