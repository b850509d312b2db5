"""Structured logs: one JSON object per line on stderr (logger `reverse_etl`), so runs can be
followed by machines as well as people. Only counts, keys, reasons and timings are logged —
never payloads, never secrets (a test checks)."""

import json
import logging
import sys
import time

LOGGER = logging.getLogger("reverse_etl")


class JsonFormatter(logging.Formatter):
    """event, level, time and the fields passed in `extra={"fields": {...}}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str)


def configure(level: int = logging.INFO) -> None:
    """Send the reverse_etl logger's records to stderr as JSON lines (once)."""
    if not LOGGER.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        LOGGER.addHandler(handler)
        LOGGER.setLevel(level)
        LOGGER.propagate = False


def event(name: str, **fields: object) -> None:
    """Log one event with its fields."""
    LOGGER.info(name, extra={"fields": fields})
