"""The demo channel: a small local receiver speaking the webhook contract.

    python -m reverse_etl.sandbox [--port 8787] [--secret-env UPSTREAM_WEBHOOK_SECRET]

It checks each request's signature (when a secret is set) and its shape, applies the records to
what it holds per sync (add/update upsert, remove deletes), prints one line per batch, and serves
its current holdings at GET /. Tests start it in-process with faults switched on (WebhookChannel).
"""

import argparse
import contextlib
import hmac
import json
import os
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reverse_etl.destinations.webhook import signature


class WebhookChannel:
    """What the receiver holds, and the faults a test can ask it to show."""

    def __init__(self, secret: str | None = None, max_batch: int = 1000, verbose: bool = False) -> None:
        self.secret = secret
        self.max_batch = max_batch
        self.verbose = verbose
        self.held: dict[str, dict[str, dict]] = defaultdict(dict)
        self.requests = 0
        self.seen_ids: list[str] = []  # webhook-id of every request, answered or not
        self.batches: list[list[tuple[str, str]]] = []  # (op, key) of every applied batch, in order
        self.delay_s = 0.0  # answer this much later (a slow channel, for crash tests)
        self.reject_keys: dict[str, str] = {}  # key -> reason the channel gives
        self.throttle_next = 0  # answer this many requests with 429 + Retry-After
        self.fail_next = 0  # answer this many requests with 503
        self.drop_next = 0  # close this many connections without answering
        self.lock = threading.Lock()

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict]:
        """Status, response headers and JSON answer for one POST."""
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.lock:
            self.requests += 1
            self.seen_ids.append(headers.get("webhook-id", ""))
            if self.throttle_next:
                self.throttle_next -= 1
                return 429, {"Retry-After": "0"}, {"error": "slow down"}
            if self.fail_next:
                self.fail_next -= 1
                return 503, {}, {"error": "unavailable"}
            message_id = headers.get("webhook-id", "")
            if self.secret:
                expected = signature(
                    self.secret, message_id, int(headers.get("webhook-timestamp", "0")), body
                )
                if not hmac.compare_digest(expected, headers.get("webhook-signature", "")):
                    return 401, {}, {"error": "bad signature"}
            try:
                payload = json.loads(body)
                records = payload["records"]
                sync = payload["sync"]
            except (ValueError, KeyError, TypeError):
                return 400, {}, {"error": "body must be {sync, records}"}
            if len(records) > self.max_batch:
                return 413, {}, {"error": f"at most {self.max_batch} records per request"}
            self.batches.append([(str(r.get("op")), str(r.get("key"))) for r in records])
            rejected = []
            for record in records:
                key = str(record.get("key"))
                if key in self.reject_keys:
                    rejected.append({"key": key, "reason": self.reject_keys[key]})
                elif record.get("op") == "remove":
                    self.held[sync].pop(key, None)
                elif record.get("op") in ("add", "update"):
                    self.held[sync][key] = record.get("fields", {})
                else:
                    rejected.append({"key": key, "reason": f"unknown op {record.get('op')!r}"})
            if self.verbose:
                print(
                    f"{sync}: {len(records)} records, {len(rejected)} rejected, "
                    f"holding {len(self.held[sync])}",
                    flush=True,
                )
            return 200, {}, {"rejected": rejected}


def make_server(channel: WebhookChannel, port: int = 8787) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 answering for the channel."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with channel.lock:
                drop = channel.drop_next > 0
                if drop:
                    channel.drop_next -= 1
            if drop:
                self.close_connection = True
                self.connection.close()
                return
            status, headers, answer = channel.handle({k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            data = json.dumps(channel.held, indent=2, default=str).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            """Quiet: the channel prints its own one line per batch."""

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--secret-env", default="UPSTREAM_WEBHOOK_SECRET")
    args = parser.parse_args(argv)
    channel = WebhookChannel(secret=os.environ.get(args.secret_env), verbose=True)
    server = make_server(channel, args.port)
    print(f"demo channel listening on http://127.0.0.1:{args.port}/ (GET / shows what it holds)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
