"""The shared delivery machinery on its own: token bucket pacing, backoff bounds, Retry-After."""

import email.utils
import time

from reverse_etl.delivery import RetryPolicy, TokenBucket, retry_after_seconds
from reverse_etl.destinations import TYPES


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_paces_requests_to_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=4.0, clock=clock)
    for _ in range(9):
        bucket.take(clock.sleep)
    assert abs(clock.now - 2.0) < 1e-9  # the first goes at once, then one every 0.25 s


def test_full_jitter_stays_under_the_cap_and_honours_retry_after() -> None:
    policy = RetryPolicy(attempts=8, base_s=0.5, cap_s=4.0)
    delays = [policy.delay(attempt, None) for attempt in range(8) for _ in range(50)]
    assert min(delays) >= 0 and max(delays) <= 4.0
    assert policy.delay(0, 7.0) >= 7.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("3") == 3.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds(later) <= 31
    assert retry_after_seconds(None) is None


def test_destinations_carry_their_documented_limits() -> None:
    assert TYPES["braze"].max_batch == 75
    assert TYPES["meta_custom_audiences"].max_batch == 10_000
    assert TYPES["twilio_sms"].max_batch == 1 and TYPES["twilio_sms"].side_effecting
    assert TYPES["twilio_sms"].default_rate_per_s == 1.0
