"""What a channel says back, made safe to store and print.

Channels quote the request in their errors (Twilio: "The 'To' number +14155550100 is not a valid
phone number"). The ledger and the logs keep the channel's error code and its message with
contact values replaced, so a deletion never has to hunt for them there.
"""

import json
import re

import requests

MAX_LENGTH = 300
_PATTERNS = [
    (re.compile(r"[^\s\"'<>(),;:\[\]]+@[^\s\"'<>(),;:\[\]]+\.[A-Za-z]{2,}"), "<email>"),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "<hash>"),
    (re.compile(r"\+?\d[\d ().-]{5,}\d"), "<number>"),
]


def redact(text: str | None) -> str | None:
    """`text` with emails, long hex values (hashes, tokens) and phone-like numbers replaced."""
    if text is None:
        return None
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text[:MAX_LENGTH]


def _code_and_message(answer: object) -> tuple[object, object]:
    if not isinstance(answer, dict):
        return None, None
    if isinstance(answer.get("error"), dict):  # Meta, Google
        answer = answer["error"]
    elif isinstance(answer.get("errors"), list) and answer["errors"]:  # Klaviyo, JSON:API
        answer = answer["errors"][0] if isinstance(answer["errors"][0], dict) else {}
    code = answer.get("code") or answer.get("status") or answer.get("type")
    message = answer.get("message") or answer.get("detail") or answer.get("error")
    return code, message


def channel_error(response: requests.Response) -> tuple[object, str]:
    """The channel's error code and `HTTP n: code c: message`, redacted; the raw body is never kept."""
    try:
        code, message = _code_and_message(response.json())
    except ValueError:
        code, message = None, None
    parts = [f"HTTP {response.status_code}"]
    if code is not None:
        parts.append(f"code {code}")
    if message:
        parts.append(str(message) if isinstance(message, str) else json.dumps(message, default=str))
    return code, redact(": ".join(parts))
