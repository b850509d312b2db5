"""The collector's HTTP app (plain ASGI, no framework: every request is small and the work per
request is parse, check, append). Routes:

    POST /v1/{track,identify,page,screen,group,alias,batch,import}   and analytics.js's /v1/{t,i,p,s,g,a,b}
    GET  /v1/projects/{writeKey}/settings    the settings analytics.js loads before it sends
    GET  /health                             200 while the landing area takes files, else 503
    OPTIONS *                                CORS preflight, so a web page may post from any origin
"""

import base64
import binascii
import datetime as dt
import zlib

import orjson

from collector.landing import LandingUnavailableError, LandingWriter
from collector.messages import Accepted, InvalidMessageError, accept, endpoint_kind
from collector.settings import MAX_BATCH_BYTES, landing_settings, write_keys

CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"POST, GET, OPTIONS"),
    (b"access-control-allow-headers", b"content-type, authorization, content-encoding"),
    (b"access-control-max-age", b"86400"),
]
JSON_HEADERS = [(b"content-type", b"application/json"), *CORS_HEADERS]
OK_BODY = b'{"success":true}'


class RequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class CollectorApp:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.writer: LandingWriter | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.keys = write_keys()
                    self.writer = LandingWriter(landing_settings())
                    await self.writer.start()
                except Exception as error:  # reported to the server, which exits
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.writer is not None:
                    await self.writer.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope, receive, send) -> None:
        method, path = scope["method"], scope["path"]
        try:
            if method == "OPTIONS":
                await _respond(send, 204, b"", CORS_HEADERS)
            elif method == "POST" and path.startswith("/v1/"):
                await self._post(scope, receive, send, path)
            elif method == "GET" and path == "/health":
                await self._health(send)
            elif method == "GET" and path.startswith("/v1/projects/") and path.endswith("/settings"):
                await self._settings(scope, send, path)
            else:
                raise RequestError(404, f"no route for {method} {path}")
        except RequestError as error:
            body = orjson.dumps({"success": False, "error": str(error)})
            await _respond(send, error.status, body, JSON_HEADERS)

    async def _post(self, scope, receive, send, path: str) -> None:
        kind = endpoint_kind(path)
        if kind is None:
            raise RequestError(404, f"no endpoint {path}; see the Segment HTTP Tracking API")
        headers = dict(scope["headers"])
        raw = await _read_body(receive)
        if b"gzip" in headers.get(b"content-encoding", b""):
            raw = _gunzip(raw)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise RequestError(400, f"the body is not valid JSON: {error}") from None
        if not isinstance(body, dict):
            raise RequestError(400, "the body must be a JSON object")
        source = self._source(headers.get(b"authorization"), body)
        received_at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        try:
            accepted: Accepted = accept(kind, body, source, received_at, _client_ip(scope, headers))
        except InvalidMessageError as error:
            raise RequestError(400, str(error)) from None
        assert self.writer is not None
        try:
            await self.writer.append(accepted.lines)
        except LandingUnavailableError as error:
            raise RequestError(503, f"{error}; nothing was stored, retry later") from None
        await _respond(send, 200, OK_BODY, JSON_HEADERS)

    def _source(self, authorization: bytes | None, body: dict) -> str:
        """The source name of the request's write key (HTTP Basic user name, or `writeKey`)."""
        key = None
        if authorization and authorization[:6].lower() == b"basic ":
            try:
                key = base64.b64decode(authorization[6:].strip(), validate=True).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                raise RequestError(401, "the Authorization header is not valid HTTP Basic") from None
        if not key and isinstance(body.get("writeKey"), str):
            key = body["writeKey"]
        if not key:
            raise RequestError(401, "no write key: send it as the HTTP Basic user name or as `writeKey`")
        source = self.keys.get(key)
        if source is None:
            raise RequestError(401, "unknown write key")
        return source

    async def _health(self, send) -> None:
        assert self.writer is not None
        problem = self.writer.last_error
        if problem is None and not self.writer.writable():
            problem = f"landing area {self.writer.settings.directory} is not writable"
        if problem is None:
            await _respond(send, 200, b'{"status":"ok"}', JSON_HEADERS)
        else:
            body = orjson.dumps({"status": "unavailable", "error": problem})
            await _respond(send, 503, body, JSON_HEADERS)

    async def _settings(self, scope, send, path: str) -> None:
        """What analytics.js fetches from Segment's CDN: a Segment.io integration whose apiHost is
        this collector, as the browser reached it."""
        key = path.removeprefix("/v1/projects/").removesuffix("/settings")
        if key not in self.keys:
            raise RequestError(404, "unknown write key")
        host = dict(scope["headers"]).get(b"host", b"127.0.0.1").decode()
        settings = {
            "integrations": {
                "Segment.io": {
                    "apiKey": key,
                    "apiHost": f"{host}/v1",
                    "protocol": scope.get("scheme", "http"),
                }
            },
            "plan": {"track": {"__default": {"enabled": True}}, "identify": {"__default": {"enabled": True}}},
        }
        await _respond(send, 200, orjson.dumps(settings), JSON_HEADERS)


def _client_ip(scope, headers: dict[bytes, bytes]) -> str | None:
    """The sender's address: the first X-Forwarded-For hop when a proxy in front of the collector
    sets it, else the connection's peer."""
    forwarded = headers.get(b"x-forwarded-for")
    if forwarded:
        return forwarded.split(b",")[0].strip().decode("latin-1") or None
    client = scope.get("client")
    return client[0] if client else None


async def _read_body(receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            raise RequestError(400, f"the request is over {MAX_BATCH_BYTES} bytes (500 KB per batch)")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _gunzip(raw: bytes) -> bytes:
    """The gzip body inflated, refusing more than the batch limit (a small body can inflate to GBs)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        body = inflater.decompress(raw, MAX_BATCH_BYTES + 1)
    except zlib.error as error:
        raise RequestError(400, f"the body is not valid gzip: {error}") from None
    if len(body) > MAX_BATCH_BYTES or inflater.unconsumed_tail:
        raise RequestError(400, f"the inflated request is over {MAX_BATCH_BYTES} bytes (500 KB per batch)")
    return body


async def _respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app() -> CollectorApp:
    """The app factory the server starts in each worker process."""
    return CollectorApp()
