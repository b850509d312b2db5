"""What every destination provides; shared machinery lives in reverse_etl.delivery."""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from reverse_etl.config import DestinationConfig
from reverse_etl.delivery import HttpClient
from upstream_config.secrets import SecretError, checked_secret


@dataclass(frozen=True)
class Record:
    """One row-level operation: add / update / remove of a key, with the row's fields.

    op_id names the operation: the same on every retry of it, new when the key is planned again
    (a remove, then a re-add, are two operations), so a channel can deduplicate on it.
    """

    key: str
    op: str
    fields: dict[str, Any]
    op_id: str = field(default="", compare=False)


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
    # The destination.* keys this channel reads besides the shared ones (config rejects others).
    settings: ClassVar[tuple[str, ...]] = ()

    def __init__(self, sync_name: str, config: DestinationConfig, secret: str | None) -> None:
        self.sync_name = sync_name
        self.config = config
        self.secret = None if secret is None else self._checked(secret)
        self.client = HttpClient(
            timeout_s=config.timeout_s,
            rate_per_s=config.rate_per_s or self.default_rate_per_s,
            side_effecting=self.side_effecting,
        )

    def _checked(self, secret: str) -> str:
        """The secret stripped and checked, before anything is planned or sent."""
        variable = self.config.secret_env or "the secret"
        value = checked_secret(secret, variable, f"sync {self.sync_name}: destination.secret_env")
        problem = self.secret_format_problem(value)
        if problem:
            raise SecretError(
                f"sync {self.sync_name}: destination.secret_env names {variable}, which {problem} "
                "(the value is not shown)"
            )
        return value

    def address_fields(self) -> list[str]:
        """The fields a remove needs to name the member to the channel; the ledger keeps only
        these of a confirmed row. None by default: the record key is enough."""
        return []

    def secret_format_problem(self, secret: str) -> str | None:
        """Why the secret cannot be this channel's, or None; channels with a format override it."""
        return None

    @property
    def batch_size(self) -> int:
        return min(self.config.batch_size, self.max_batch)

    def deliver(self, records: list[Record]) -> dict[str, Verdict]:
        """Send one batch; a verdict for every record, or a DeliveryError for the whole batch."""
        raise NotImplementedError
