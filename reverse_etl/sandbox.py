"""The demo channel: a small local receiver speaking the webhook contract.

    python -m reverse_etl.sandbox [--port 8787] [--secret-env UPSTREAM_WEBHOOK_SECRET]

It checks each request's signature (when a secret is set) and its shape, applies the records to
what it holds per sync (add/update upsert, remove deletes), prints one line per batch, and serves
its current holdings at GET /. The test suite derives a channel that misbehaves on request
(throttling, outages, dropped connections, rejected records) from WebhookChannel.
"""

import argparse
import contextlib
import hmac
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reverse_etl.destinations.webhook import signature
from upstream_config.secrets import optional_secret


class WebhookChannel:
    """What the receiver holds; `respond` answers one POST."""

    def __init__(self, secret: str | None = None, max_batch: int = 1000, verbose: bool = False) -> None:
        self.secret = secret
        self.max_batch = max_batch
        self.verbose = verbose
        self.held: dict[str, dict[str, dict]] = defaultdict(dict)
        self.requests = 0
        self.seen_ids: list[str] = []  # webhook-id of every request, answered or not
        self.batches: list[list[tuple[str, str]]] = []  # (op, key) of every applied batch, in order
        self.lock = threading.Lock()

    def respond(self, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict] | None:
        """Status, response headers and JSON answer for one POST; None closes the connection
        without an answer (this channel always answers)."""
        with self.lock:
            self.requests += 1
            self.seen_ids.append(headers.get("webhook-id", ""))
            return self.handle(headers, body)

    def rejection(self, record: dict) -> str | None:
        """Why the channel refuses this record, or None to apply it."""
        return None

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict]:
        """Check the signature and shape, apply the records; called holding the lock."""
        message_id = headers.get("webhook-id", "")
        if self.secret:
            expected = signature(self.secret, message_id, int(headers.get("webhook-timestamp", "0")), body)
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
            refusal = self.rejection(record)
            if refusal:
                rejected.append({"key": key, "reason": refusal})
            elif record.get("op") == "remove":
                self.held[sync].pop(key, None)
            elif record.get("op") in ("add", "update"):
                self.held[sync][key] = record.get("fields", {})
            else:
                rejected.append({"key": key, "reason": f"unknown op {record.get('op')!r}"})
        if self.verbose:
            print(
                f"{sync}: {len(records)} records, {len(rejected)} rejected, holding {len(self.held[sync])}",
                flush=True,
            )
        return 200, {}, {"rejected": rejected}


def make_server(channel: WebhookChannel, port: int = 8787) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 answering for the channel."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            response = channel.respond({k.lower(): v for k, v in self.headers.items()}, body)
            if response is None:
                self.close_connection = True
                self.connection.close()
                return
            status, headers, answer = response
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
    channel = WebhookChannel(secret=optional_secret(args.secret_env, "the demo channel"), verbose=True)
    server = make_server(channel, args.port)
    print(f"demo channel listening on http://127.0.0.1:{args.port}/ (GET / shows what it holds)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
