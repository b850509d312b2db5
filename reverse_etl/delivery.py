"""Delivery machinery shared by every destination: one HTTP session per destination, timeouts,
retries with exponential backoff and full jitter that honour Retry-After (capped), a token-bucket
rate limit, and error types that say what may be retried.

Side-effecting destinations (an SMS is sent the moment the request lands) are not retried after
an ambiguous failure (a timeout or a dropped connection once the request may have arrived): the
caller leaves those rows in flight instead of sending twice.

No error raised here carries text from the request (headers, URL, body) or the exception that
requests raised: a malformed secret makes requests quote the header in its message, and that
text would reach the ledger, the logs and Dagster's run storage.
"""

import email.utils
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

import requests

from reverse_etl.redact import channel_error

# Answers that refuse what was sent (a row, or the batch's size): splitting the batch finds the
# rows the channel objects to. Every other 4xx refuses the request as configured.
CONTENT_REJECTIONS = (400, 413, 422)


class DeliveryError(Exception):
    """Base of the delivery errors."""


class RetriableError(DeliveryError):
    """The channel gave no verdict and may accept the same request later (429, 5xx, no connection)."""


class AmbiguousError(RetriableError):
    """The request may have reached the channel: safe to retry only if sending twice is harmless."""


class FatalError(DeliveryError):
    """Retrying cannot help (bad credentials, wrong URL, a redirect): the run stops."""


class BatchRejectedError(DeliveryError):
    """The channel refused the content of the batch (400/413/422): split it to find the rows."""

    def __init__(self, status: int, reason: str, code: object = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.code = code


class TokenBucket:
    """At most `rate` requests per second on average, bursts up to `burst`."""

    def __init__(
        self, rate: float | None, burst: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = max(burst, 1.0)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()
        self.lock = threading.Lock()

    def take(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Wait until a request may go."""
        if not self.rate:
            return
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
            self.tokens -= 1
        if wait > 0:
            sleep(wait)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (a number of seconds or an HTTP date); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        seconds = parsed.timestamp() - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter: sleep uniform(0, min(cap, base * 2^attempt)).

    A Retry-After longer than max_retry_after_s is not waited for: the rows stay pending for a
    later run, so a channel asking for a day does not hold the lease and the writer lock a day.
    """

    attempts: int = 5
    base_s: float = 0.2
    cap_s: float = 20.0
    max_retry_after_s: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        jitter = random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))
        return max(retry_after, jitter) if retry_after is not None else jitter


class HttpClient:
    """One requests.Session per destination, with its timeout, rate limit and retry policy."""

    def __init__(
        self,
        timeout_s: float,
        rate_per_s: float | None = None,
        retry: RetryPolicy | None = None,
        side_effecting: bool = False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = requests.Session()
        self.timeout_s = timeout_s
        self.bucket = TokenBucket(rate_per_s)
        self.retry = retry or RetryPolicy()
        self.side_effecting = side_effecting
        self.sleep = sleep
        self.retries = 0

    def post_form(self, url: str, form: dict[str, str], auth: tuple[str, str]) -> requests.Response:
        """POST form fields with basic auth (APIs such as Twilio's), with the same retries."""
        return self.post(url, None, {}, data=form, auth=auth)

    def post(
        self,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        data: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        """POST with retries; returns a 2xx response or raises a DeliveryError subclass."""
        return self.request("POST", url, body, headers, data, auth)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        data: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> requests.Response:
        """Any method with retries; returns a 2xx response or raises a DeliveryError subclass."""
        last: DeliveryError = RetriableError("no attempt made")
        for attempt in range(self.retry.attempts):
            if attempt:
                self.retries += 1
            self.bucket.take(self.sleep)
            response, failure = self._send(method, url, body, headers, data, auth)
            if response is not None:
                if 200 <= response.status_code < 300:
                    return response
                failure, retry_after = _classify(response, self.side_effecting)
            else:
                retry_after = None
            if not isinstance(failure, RetriableError) or (
                isinstance(failure, AmbiguousError) and self.side_effecting
            ):
                raise failure
            last = failure
            if retry_after is not None and retry_after > self.retry.max_retry_after_s:
                raise RetriableError(
                    f"{failure}: the channel asked to wait {retry_after:.0f} s, more than "
                    f"{self.retry.max_retry_after_s:.0f} s; left for a later run"
                )
            if attempt < self.retry.attempts - 1:  # never sleep after the last attempt
                self.sleep(self.retry.delay(attempt, retry_after))
        raise last

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        data: dict[str, str] | None,
        auth: tuple[str, str] | None,
    ) -> tuple[requests.Response | None, DeliveryError | None]:
        """One request: the response, or the error it became (raised by the caller, outside this
        except block, so requests' own exception and its text are not chained to it)."""
        try:
            response = self.session.request(
                method,
                url,
                data=body if data is None else data,
                headers=headers,
                auth=auth,
                timeout=self.timeout_s,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            # The TLS handshake comes before the request: nothing was sent.
            return None, RetriableError(f"TLS handshake failed, nothing sent: {error.__class__.__name__}")
        except requests.exceptions.ConnectTimeout as error:
            return None, RetriableError(f"could not connect: {error.__class__.__name__}")
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
            return None, AmbiguousError(f"no answer: {error.__class__.__name__}")
        except (requests.exceptions.RequestException, ValueError) as error:
            return None, FatalError(
                f"the request could not be made ({error.__class__.__name__}): check the destination's "
                "URL settings and its secret (details are not shown: they may quote a header)"
            )
        return response, None


def _classify(response: requests.Response, side_effecting: bool) -> tuple[DeliveryError, float | None]:
    """What a non-2xx answer means, and the Retry-After it carried."""
    status = response.status_code
    if 300 <= status < 400:
        return FatalError(
            f"HTTP {status}: the channel redirects elsewhere; redirects are not followed (they would "
            "carry the credentials to another host): set the destination's URL to the final address"
        ), None
    if status == 429 or status == 408 or status >= 500:
        if status >= 500 and side_effecting:
            return AmbiguousError(f"HTTP {status} after the request arrived"), None
        return RetriableError(f"HTTP {status}"), retry_after_seconds(response.headers.get("Retry-After"))
    if status in (401, 403):
        return FatalError(f"HTTP {status}: the channel refused our credentials"), None
    if status in CONTENT_REJECTIONS:
        code, reason = channel_error(response)
        return BatchRejectedError(status, reason, code), None
    return FatalError(
        f"HTTP {status}: the channel refused the request as addressed (wrong URL, method or "
        "account?); check the destination's settings"
    ), None
