"""Real HTTP channels on 127.0.0.1 for the reverse-ETL tests, started in a background thread."""

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reverse_etl.sandbox import WebhookChannel, make_server

TEST_SECRET = "whsec_" + base64.b64encode(b"upstream-test-signing-key-32byte").decode()


@contextmanager
def webhook_channel(
    secret: str | None = TEST_SECRET, max_batch: int = 1000
) -> Iterator[tuple[WebhookChannel, str]]:
    """A webhook channel and its URL; stopped when the block ends."""
    channel = WebhookChannel(secret=secret, max_batch=max_batch)
    server = make_server(channel, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield channel, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
