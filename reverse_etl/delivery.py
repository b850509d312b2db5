"""Delivery machinery shared by every destination: one HTTP session per destination, timeouts,
retries with exponential backoff and full jitter that honour Retry-After, a token-bucket rate
limit, and error types that say what may be retried.

Side-effecting destinations (an SMS is sent the moment the request lands) are not retried after
an ambiguous failure (a timeout or a dropped connection once the request may have arrived): the
caller leaves those rows in flight instead of sending twice.
"""

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests


class DeliveryError(Exception):
    """Base of the delivery errors."""


class RetriableError(DeliveryError):
    """The channel may accept the same request later (429, 5xx, connection trouble)."""


class AmbiguousError(RetriableError):
    """The request may have reached the channel: safe to retry only if sending twice is harmless."""


class FatalError(DeliveryError):
    """Retrying cannot help (bad credentials, bad configuration): the run stops."""


class BatchRejectedError(DeliveryError):
    """The channel refused the whole batch (a 4xx): split it to find the rows it objects to."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"batch rejected with HTTP {status}: {reason}")
        self.status = status
        self.reason = reason


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
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter: sleep uniform(0, min(cap, base * 2^attempt))."""

    attempts: int = 5
    base_s: float = 0.2
    cap_s: float = 20.0

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
        last: DeliveryError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                self.retries += 1
            self.bucket.take(self.sleep)
            try:
                response = self.session.request(
                    method,
                    url,
                    data=body if data is None else data,
                    headers=headers,
                    auth=auth,
                    timeout=self.timeout_s,
                )
            except requests.exceptions.ConnectTimeout as error:
                last = RetriableError(f"could not connect: {error.__class__.__name__}")
                self.sleep(self.retry.delay(attempt, None))
                continue
            except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
                last = AmbiguousError(f"no answer: {error.__class__.__name__}")
                if self.side_effecting:
                    raise last from error
                self.sleep(self.retry.delay(attempt, None))
                continue
            status = response.status_code
            if 200 <= status < 300:
                return response
            if status == 429 or status >= 500:
                last = RetriableError(f"HTTP {status}")
                if status >= 500 and self.side_effecting:
                    raise AmbiguousError(f"HTTP {status} after the request arrived")
                self.sleep(
                    self.retry.delay(attempt, retry_after_seconds(response.headers.get("Retry-After")))
                )
                continue
            if status in (401, 403):
                raise FatalError(f"HTTP {status}: the channel refused our credentials")
            raise BatchRejectedError(status, response.text[:500])
        raise last or RetriableError("no attempt made")
