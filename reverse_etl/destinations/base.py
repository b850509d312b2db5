"""What every destination provides; shared machinery lives in reverse_etl.delivery."""

from dataclasses import dataclass
from typing import Any, ClassVar

from reverse_etl.config import DestinationConfig
from reverse_etl.delivery import HttpClient


@dataclass(frozen=True)
class Record:
    """One row-level operation: add / update / remove of a key, with the row's fields."""

    key: str
    op: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """The channel's answer for one record: accepted, or rejected with its reason."""

    accepted: bool
    reason: str | None = None


class Destination:
    """A channel. Subclasses set the class attributes and implement deliver()."""

    side_effecting: ClassVar[bool] = False  # a send cannot be undone or repeated safely (SMS)
    max_batch: ClassVar[int] = 1000  # the channel's documented limit per request
    modes: ClassVar[tuple[str, ...]] = ("mirror", "upsert", "insert")  # sync modes that make sense
    # Requests per second the channel documents as its limit; destination.rate_per_s overrides.
    default_rate_per_s: ClassVar[float | None] = None

    def __init__(self, sync_name: str, config: DestinationConfig, secret: str | None) -> None:
        self.sync_name = sync_name
        self.config = config
        self.secret = secret
        self.client = HttpClient(
            timeout_s=config.timeout_s,
            rate_per_s=config.rate_per_s or self.default_rate_per_s,
            side_effecting=self.side_effecting,
        )

    @property
    def batch_size(self) -> int:
        return min(self.config.batch_size, self.max_batch)

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        """Send one batch; a verdict for every record, or a DeliveryError for the whole batch."""
        raise NotImplementedError
