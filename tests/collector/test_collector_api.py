"""The Tracking API's contract at the edges: a wrong or missing write key is a 401, a body over
Segment's limits or one the API cannot take is a 400 with a reason and leaves nothing in the
landing area (a batch is taken whole or not at all), gzip bodies and analytics.js's short paths
work, a web page may post from another origin, and the write key never lands."""

import gzip
import json

import pytest
import requests

from tests.support.collector import WRITE_KEYS, running_collector

KEY = WRITE_KEYS["web"]


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory):
    with running_collector(tmp_path_factory.mktemp("collector_api") / "landing") as running:
        yield running


def _landed(collector) -> list[dict]:
    lines = []
    for path in sorted(collector.landing.glob("*.ndjson*")):
        lines += [json.loads(line) for line in path.read_bytes().splitlines()]
    return lines


def _post(collector, path: str, body, key: str | None = KEY, **kwargs) -> requests.Response:
    auth = (key, "") if key is not None else None
    return requests.post(f"{collector.url}{path}", json=body, auth=auth, timeout=10, **kwargs)


def test_a_track_is_acknowledged_after_it_lands(collector):
    response = _post(
        collector, "/v1/track", {"userId": "u-api-1", "event": "Cart Viewed", "messageId": "api-1"}
    )
    assert response.status_code == 200 and response.json() == {"success": True}
    landed = [line for line in _landed(collector) if line["messageId"] == "api-1"]
    assert len(landed) == 1
    assert landed[0]["type"] == "track" and landed[0]["_upstream_source"] == "web"
    assert "writeKey" not in landed[0] and "receivedAt" in landed[0]
    assert landed[0]["context"]["ip"] == "127.0.0.1"  # added, as Segment's API adds it


def test_the_client_address_comes_from_the_proxy_and_never_overrides_the_sdk(collector):
    proxied = {"userId": "u-ip", "event": "x", "messageId": "api-ip-1"}
    _post(collector, "/v1/track", proxied, headers={"X-Forwarded-For": "203.0.113.9, 10.0.0.1"})
    own = {"userId": "u-ip", "event": "x", "messageId": "api-ip-2", "context": {"ip": "198.51.100.7"}}
    _post(collector, "/v1/track", own, headers={"X-Forwarded-For": "203.0.113.9"})
    landed = {
        line["messageId"]: line["context"]["ip"]
        for line in _landed(collector)
        if line.get("userId") == "u-ip"
    }
    assert landed == {"api-ip-1": "203.0.113.9", "api-ip-2": "198.51.100.7"}


@pytest.mark.parametrize(
    ("key", "reason"), [("not-a-key", "unknown write key"), (None, "no write key")], ids=["wrong", "missing"]
)
def test_a_wrong_or_missing_key_is_a_401(collector, key, reason):
    response = _post(collector, "/v1/track", {"userId": "u", "event": "x", "messageId": "api-401"}, key=key)
    assert response.status_code == 401
    assert reason in response.json()["error"]
    assert not [line for line in _landed(collector) if line["messageId"] == "api-401"]


def test_the_key_may_come_in_the_body_as_analytics_js_sends_it(collector):
    body = {"writeKey": KEY, "anonymousId": "a-js", "event": "Product Viewed", "messageId": "api-js"}
    # analytics.js posts text/plain to /v1/t, so the browser sends no preflight.
    response = requests.post(
        f"{collector.url}/v1/t", data=json.dumps(body), headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert response.status_code == 200
    landed = [line for line in _landed(collector) if line["messageId"] == "api-js"]
    assert landed and "writeKey" not in landed[0]


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/v1/track", {"event": "x"}, "userId or an anonymousId"),
        ("/v1/track", {"userId": "u"}, "needs an `event`"),
        ("/v1/identify", {"userId": "u", "traits": {"bio": "x" * 33_000}}, "32 KB"),
        ("/v1/batch", {"batch": []}, "non-empty `batch`"),
        ("/v1/alias", {"userId": "u"}, "previousId"),
        ("/v1/track", [1, 2], "JSON object"),
        ("/v1/checkout", {"userId": "u"}, "no endpoint"),
    ],
    ids=[
        "no-id",
        "no-event",
        "event-over-32kb",
        "empty-batch",
        "alias-no-previous",
        "not-an-object",
        "no-such-path",
    ],
)
def test_a_message_the_api_cannot_take_is_a_400_with_its_reason(collector, path, body, reason):
    response = _post(collector, path, body)
    assert response.status_code in (400, 404)
    assert reason in response.json()["error"]


def test_a_batch_over_500kb_is_refused_whole(collector):
    batch = [
        {
            "type": "track",
            "userId": "u-big",
            "event": "Big",
            "messageId": f"big-{n}",
            "properties": {"pad": "x" * 20_000},
        }
        for n in range(30)
    ]
    response = _post(collector, "/v1/batch", {"batch": batch})
    assert response.status_code == 400 and "500 KB" in response.json()["error"]
    assert not [line for line in _landed(collector) if line["messageId"].startswith("big-")]


def test_one_bad_message_refuses_the_batch_and_nothing_is_half_written(collector):
    batch = [
        {"type": "track", "userId": "u-half", "event": "Ok", "messageId": "half-1"},
        {"type": "track", "userId": "u-half", "messageId": "half-2"},  # no event
    ]
    response = _post(collector, "/v1/batch", {"batch": batch})
    assert response.status_code == 400 and "batch[1]" in response.json()["error"]
    assert not [line for line in _landed(collector) if line["messageId"].startswith("half-")]


def test_bad_json_and_bad_gzip_are_400s(collector):
    bad_json = requests.post(f"{collector.url}/v1/track", data=b"{not json", auth=(KEY, ""), timeout=10)
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["error"]
    bad_gzip = requests.post(
        f"{collector.url}/v1/track",
        data=b"plain",
        auth=(KEY, ""),
        headers={"Content-Encoding": "gzip"},
        timeout=10,
    )
    assert bad_gzip.status_code == 400 and "gzip" in bad_gzip.json()["error"]


def test_a_gzip_bomb_is_refused_without_inflating_it(collector):
    bomb = gzip.compress(b'{"batch": [' + b" " * 5_000_000 + b"]}")
    response = requests.post(
        f"{collector.url}/v1/batch",
        data=bomb,
        auth=(KEY, ""),
        headers={"Content-Encoding": "gzip"},
        timeout=10,
    )
    assert response.status_code == 400 and "500 KB" in response.json()["error"]


def test_a_gzip_batch_lands_with_the_batch_sent_at(collector):
    body = {
        "batch": [
            {"type": "page", "anonymousId": "a-gz", "name": "Home", "messageId": "gz-1"},
            {"type": "screen", "userId": "u-gz", "name": "Cart", "messageId": "gz-2"},
        ],
        "sentAt": "2026-12-01T10:00:00.000Z",
    }
    response = requests.post(
        f"{collector.url}/v1/batch",
        data=gzip.compress(json.dumps(body).encode()),
        auth=(KEY, ""),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 200
    landed = {line["messageId"]: line for line in _landed(collector) if line["messageId"].startswith("gz-")}
    assert {key: line["type"] for key, line in landed.items()} == {"gz-1": "page", "gz-2": "screen"}
    assert {line["sentAt"] for line in landed.values()} == {"2026-12-01T10:00:00.000Z"}


def test_a_web_page_on_another_origin_may_post(collector):
    preflight = requests.options(
        f"{collector.url}/v1/track",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_health_and_the_settings_analytics_js_loads(collector):
    assert requests.get(f"{collector.url}/health", timeout=10).json() == {"status": "ok"}
    settings = requests.get(f"{collector.url}/v1/projects/{KEY}/settings", timeout=10)
    host = collector.url.removeprefix("http://")
    assert settings.json()["integrations"]["Segment.io"]["apiHost"] == f"{host}/v1"
    assert requests.get(f"{collector.url}/v1/projects/nope/settings", timeout=10).status_code == 404
