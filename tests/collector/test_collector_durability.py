"""A 200 means the event is on disk: kill -9 of the collector under load loses no acknowledged
event and a client's retry of the same messageId leaves one row after staging; a full disk gives
503s, never a 200 for an event that was not stored, and the collector recovers once there is
room again."""

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support.collector import WRITE_KEYS, load_landing, running_collector
from tests.support.warehouse import query, run_dbt

AUTH = (WRITE_KEYS["server"], "")


def _batch(prefix: str, start: int, size: int) -> dict:
    return {
        "batch": [
            {
                "type": "track",
                "event": "Product Viewed",
                "anonymousId": f"anon-{prefix}-{(start + n) % 7}",
                "messageId": f"{prefix}-{start + n}",
                "properties": {"product_id": f"p-{n}", "sku": f"SKU-{n}"},
            }
            for n in range(size)
        ]
    }


class Sender(threading.Thread):
    """Posts batches until stopped or refused; remembers which batches got a 200."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__(daemon=True)
        self.url, self.prefix = url, prefix
        self.acknowledged: list[dict] = []
        self.stop = threading.Event()

    def run(self) -> None:
        session, start = requests.Session(), 0
        while not self.stop.is_set():
            body = _batch(self.prefix, start, 50)
            start += 50
            try:
                response = session.post(f"{self.url}/v1/batch", json=body, auth=AUTH, timeout=5)
            except requests.RequestException:
                return
            if response.status_code == 200:
                self.acknowledged.append(body)


def test_kill_9_under_load_loses_no_acknowledged_event(tmp_path):
    landing = tmp_path / "landing"
    with running_collector(landing, workers=2) as collector:
        senders = [Sender(collector.url, f"k{n}") for n in range(3)]
        for sender in senders:
            sender.start()
        time.sleep(2.0)
        collector.kill()
        for sender in senders:
            sender.join(timeout=10)
    acknowledged = [body for sender in senders for body in sender.acknowledged]
    assert len(acknowledged) > 10, "the senders should have been acknowledged many batches before the kill"
    with running_collector(landing) as restarted:
        # The client did not see the answer to its last batch and sends it again after the restart.
        retry = requests.post(f"{restarted.url}/v1/batch", json=acknowledged[-1], auth=AUTH, timeout=10)
        assert retry.status_code == 200
    db = tmp_path / "upstream.duckdb"
    load_landing(landing, db)
    expected = {message["messageId"] for body in acknowledged for message in body["batch"]}
    landed = {row[0] for row in query(db, "select id from raw.product_viewed")}
    assert expected - landed == set(), "an acknowledged event is missing after kill -9"
    run_dbt(db, "build", "--select", "+stg_segment__product_viewed_events", "+stg_segment__tracks")
    staged = query(
        db,
        "select count(*), count(distinct message_id) from main.stg_segment__tracks "
        "where message_id like 'k%'",
    )
    assert staged[0][0] == staged[0][1] >= len(expected)


def _in_namespace(pid: int, path: Path) -> Path:
    """`path` as the process pid sees it (its own mount namespace)."""
    return Path(f"/proc/{pid}/root") / path.relative_to("/")


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_a_full_disk_is_a_503_never_a_200(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    # The collector runs in a mount namespace of its own where the landing area is a 256 KB tmpfs.
    mount = f"mount -t tmpfs -o size=256k upstream-full {landing}"
    prefix = ("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f'{mount} && exec "$0" "$@"')
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces are not available here: {probe.stderr.decode().strip()}")
    with running_collector(landing, command_prefix=prefix, UPSTREAM_LANDING_ROTATE_SECONDS="60") as collector:
        session = requests.Session()
        statuses, acknowledged, refused = [], [], []
        for start in range(0, 200 * 50, 50):
            body = _batch("full", start, 50)
            response = session.post(f"{collector.url}/v1/batch", json=body, auth=AUTH, timeout=10)
            statuses.append(response.status_code)
            if response.status_code == 200:
                acknowledged.append(body)
            else:
                assert response.status_code == 503 and "nothing was stored" in response.json()["error"]
                refused.append(body)
                if len(refused) >= 3:
                    break
        assert acknowledged and len(refused) == 3, statuses
        assert requests.get(f"{collector.url}/health", timeout=10).status_code == 503
        seen = _in_namespace(collector.process.pid, landing)
        landed_lines = b"".join(path.read_bytes() for path in seen.iterdir() if path.is_file())
        for body in acknowledged:
            for message in body["batch"]:
                assert f'"messageId":"{message["messageId"]}"'.encode() in landed_lines
        for body in refused:
            for message in body["batch"]:
                assert f'"messageId":"{message["messageId"]}"'.encode() not in landed_lines, (
                    "refused, yet stored"
                )
        # Room again (an operator moved the files away): the next request is stored.
        for path in seen.iterdir():
            path.unlink()
        again = requests.post(f"{collector.url}/v1/batch", json=_batch("full-y", 0, 5), auth=AUTH, timeout=10)
        assert again.status_code == 200
        assert requests.get(f"{collector.url}/health", timeout=10).status_code == 200
