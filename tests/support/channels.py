"""Real HTTP channels on 127.0.0.1 for the reverse-ETL tests, started in a background thread."""

import base64
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from reverse_etl.sandbox import WebhookChannel, make_server

TEST_SECRET = "whsec_" + base64.b64encode(b"upstream-test-signing-key-32byte").decode()


class FaultyWebhookChannel(WebhookChannel):
    """The demo channel with the faults a test switches on: each counter answers that many
    requests so, then the channel behaves again."""

    def __init__(self, secret: str | None = None, max_batch: int = 1000) -> None:
        super().__init__(secret=secret, max_batch=max_batch)
        self.delay_s = 0.0  # answer this much later (a slow channel, for crash tests)
        self.reject_keys: dict[str, str] = {}  # key -> reason the channel gives
        self.throttle_next = 0  # answer with 429 + Retry-After
        self.fail_next = 0  # answer with 503
        self.drop_next = 0  # close the connection without answering

    def respond(self, headers: dict[str, str], body: bytes) -> tuple[int, dict, dict] | None:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.lock:
            if self.drop_next:
                self.drop_next -= 1
                return None
            if self.throttle_next or self.fail_next:
                self.requests += 1
                self.seen_ids.append(headers.get("webhook-id", ""))
            if self.throttle_next:
                self.throttle_next -= 1
                return 429, {"Retry-After": "0"}, {"error": "slow down"}
            if self.fail_next:
                self.fail_next -= 1
                return 503, {}, {"error": "unavailable"}
        return super().respond(headers, body)

    def rejection(self, record: dict) -> str | None:
        return self.reject_keys.get(str(record.get("key")))


@contextmanager
def webhook_channel(
    secret: str | None = TEST_SECRET, max_batch: int = 1000
) -> Iterator[tuple[FaultyWebhookChannel, str]]:
    """A webhook channel and its URL; stopped when the block ends."""
    channel = FaultyWebhookChannel(secret=secret, max_batch=max_batch)
    with _serving(make_server(channel, port=0)) as base_url:
        yield channel, f"{base_url}/hook"


@contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve in a background thread; yield the base URL; stop when the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class TwilioChannel:
    """Twilio's Messages API as the docs describe it: basic auth, form fields, 201 / 400 / 429."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[tuple[str, str]] = []  # (To, Body) of every message the channel sent
        self.throttle_next = 0
        self.fail_next = 0  # 500 after sending: the caller cannot know whether it went out
        self.drop_after_send_next = 0  # send, then close the connection without an answer
        self.delay_s = 0.0
        self.lock = threading.Lock()

    def answer(self, path: str, authorization: str, form: dict[str, str]) -> tuple[int, dict] | None:
        if self.delay_s:
            time.sleep(self.delay_s)
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "not found"}
        if authorization != expected:
            return 401, {"code": 20003, "message": "Authenticate"}
        with self.lock:
            if self.throttle_next:
                self.throttle_next -= 1
                return 429, {"code": 20429, "message": "Too Many Requests"}
            to = form.get("To", "")
            if not to.startswith("+") or not to[1:].isdigit():
                return 400, {"code": 21211, "message": f"The 'To' number {to} is not a valid phone number."}
            self.sent.append((to, form.get("Body", "")))
            if self.fail_next:
                self.fail_next -= 1
                return 500, {"code": 20500, "message": "Internal Server Error"}
            if self.drop_after_send_next:
                self.drop_after_send_next -= 1
                return None
            return 201, {"sid": f"SM{len(self.sent):032d}", "status": "queued"}


@contextmanager
def twilio_channel(
    account_sid: str = "AC_test", auth_token: str = "twilio-test-token"
) -> Iterator[tuple[TwilioChannel, str]]:
    """A Twilio-like API on 127.0.0.1 and its base URL."""
    channel = TwilioChannel(account_sid, auth_token)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            form = {key: values[0] for key, values in urllib.parse.parse_qs(body).items()}
            result = channel.answer(self.path, self.headers.get("authorization", ""), form)
            if result is None:
                self.close_connection = True
                self.connection.close()
                return
            status, answer = result
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base_url:
        yield channel, base_url


@contextmanager
def json_api(answer) -> Iterator[str]:
    """A JSON API on 127.0.0.1: answer(method, path, headers, body) -> (status, dict, headers) or None
    (None closes the connection unanswered). Yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode()  # a form (Twilio), as text
            headers = {k.lower(): v for k, v in self.headers.items()}
            result = answer(self.command, self.path, headers, body)
            if result is None:
                self.close_connection = True
                self.connection.close()
                return
            status, payload, extra = result
            data = json.dumps(payload).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PUT = _serve  # noqa: N815 (http.server naming)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as base_url:
        yield base_url
