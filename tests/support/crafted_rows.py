"""Hand-crafted raw rows, each planted to prove one staging behaviour.

Kept in one place so a single `dbt build` serves every staging test; each test reads back the
rows planted for it by message id.
"""

TS = "2026-03-01T12:00:00.000Z"
RECEIVED = "2026-03-01T12:00:02.000Z"

# (case id, raw email, expected staged email)
EMAIL_CASES = [
    ("email-padded-mixed-case", "  Jane.Doe@Example.COM ", "jane.doe@example.com"),
    ("email-upper", "JOHN@GMAIL.COM", "john@gmail.com"),
    ("email-mailto", "mailto:Sam@Shop.io", "sam@shop.io"),
    ("email-plain", "ana@proton.me", "ana@proton.me"),
    ("email-undefined", "undefined", None),
    ("email-null-text", "NULL", None),
    ("email-empty", "", None),
    ("email-na", "n/a", None),
    ("email-none-padded", "  none ", None),
    ("email-tab-newline", "\tmailto:Ana.Tab@Proton.me\r\n", "ana.tab@proton.me"),
]

# (case id, raw phone, expected E.164)
PHONE_CASES = [
    ("phone-nanp-parens", "(415) 555-0123", "+14155550123"),
    ("phone-nanp-dots", "415.555.0123", "+14155550123"),
    ("phone-nanp-dashes", "415-555-0123", "+14155550123"),
    ("phone-nanp-country-dashes", "1-415-555-0123", "+14155550123"),
    ("phone-nanp-plus-spaces", "+1 415 555 0123", "+14155550123"),
    ("phone-nanp-bare", "4155550123", "+14155550123"),
    ("phone-nanp-eleven", "14155550123", "+14155550123"),
    ("phone-nanp-extension", "(415) 555-0123 x42", "+14155550123"),
    ("phone-nanp-ext-dot", "415-555-0123 ext. 7", "+14155550123"),
    ("phone-uk-plus", "+44 20 7946 0958", "+442079460958"),
    ("phone-uk-double-zero", "0044 20 7946 0958", "+442079460958"),
    ("phone-de-plus", "+49 30 1234567", "+49301234567"),
    ("phone-fr-plus", "+33 6 12 34 56 78", "+33612345678"),
    ("phone-au-dashes", "+61-412-345-678", "+61412345678"),
    ("phone-uk-national-ambiguous", "020 7946 0958", None),
    ("phone-seven-digits", "555-0123", None),
    ("phone-words", "call me", None),
    ("phone-vanity-letters", "+1 (800) FLOWERS", None),
    ("phone-undefined", "undefined", None),
]

# (case id, raw anonymous_id, raw user_id, expected anonymous_id, expected user_id)
ID_CASES = [
    ("ids-anon-undefined", "undefined", "u-1", None, "u-1"),
    ("ids-user-null-text", "anon-2", "null", "anon-2", None),
    ("ids-user-none", "anon-3", "None", "anon-3", None),
    ("ids-padded", "  anon-4 ", " u-4 ", "anon-4", "u-4"),
    ("ids-object-object", "[object Object]", "u-5", None, "u-5"),
]

# (message id, raw timestamp, expected occurred_at in UTC)
TIMESTAMP_CASES = [
    ("ts-zulu", "2026-03-01T12:00:00.000Z", "2026-03-01 12:00:00"),
    ("ts-offset", "2026-03-01T14:00:00+02:00", "2026-03-01 12:00:00"),
    ("ts-negative-offset", "2026-03-01T07:00:00-05:00", "2026-03-01 12:00:00"),
    ("ts-space-no-zone", "2026-03-01 12:00:00", "2026-03-01 12:00:00"),
]

# (message id, raw overrides on a valid pages row, expected reason)
PAGE_REJECT_CASES = [
    ("reject-no-identifier", {"anonymous_id": None, "user_id": "undefined"}, "no_identifier"),
    ("reject-null-timestamp", {"timestamp": None}, "missing_timestamp"),
    ("reject-blank-timestamp", {"timestamp": "  "}, "missing_timestamp"),
    ("reject-garbled-timestamp", {"timestamp": "yesterday"}, "unparseable_timestamp"),
    ("reject-impossible-date", {"timestamp": "2026-02-30T10:00:00Z"}, "unparseable_timestamp"),
    ("reject-before-2000", {"timestamp": "1999-12-31T23:59:59Z"}, "timestamp_out_of_range"),
    ("reject-future", {"timestamp": "2026-03-03T12:00:03Z"}, "timestamp_out_of_range"),
    ("reject-long-user-id", {"user_id": "u" * 256}, "value_too_long"),
    ("reject-huge-title", {"title": "t" * 1_000_000}, "text_too_long"),
]
# Accepted at the edges: exactly 24 h after received_at, and the first instant of 2000.
PAGE_EDGE_ACCEPTED = [
    ("edge-future-24h", {"timestamp": "2026-03-02T12:00:02Z"}),
    ("edge-year-2000", {"timestamp": "2000-01-01T00:00:00Z"}),
    ("edge-long-but-allowed", {"user_id": "u" * 255}),
    ("edge-long-title-allowed", {"title": "t" * 8192}),
]

ORDER_REJECT_CASES = [
    ("reject-truncated-products", {"products": '[{"product_id": "p1", "price": '}, "malformed_products_json"),
    ("reject-not-json-products", {"products": "p1,p2"}, "malformed_products_json"),
    ("reject-huge-products", {"products": "[" + '{"product_id": "p1"}, ' * 3300 + "{}]"}, "value_too_long"),
    ("reject-object-products", {"products": '{"product_id": "p1", "quantity": 1}'}, "unexpected_json_shape"),
    ("reject-scalar-products", {"products": '"p1"'}, "unexpected_json_shape"),
]


def _event(message_id: str | None, properties: dict, overrides: dict) -> dict:
    """A valid raw event row (message id, cookie, times) with table properties and overrides."""
    row = {
        "id": message_id,
        "anonymous_id": f"anon-{message_id}",
        "timestamp": TS,
        "received_at": RECEIVED,
        **properties,
    }
    row.update(overrides)
    return row


def _page(message_id: str | None, **overrides: str | None) -> dict:
    return _event(message_id, {"user_id": None, "url": "https://shop.example/home"}, overrides)


def _order(message_id: str, **overrides: str | None) -> dict:
    properties = {
        "order_id": f"order-{message_id}",
        "revenue": "20.00",
        "currency": "usd",
        "products": '[{"product_id": "p1", "quantity": 1}, {"product_id": "p2", "quantity": 2}]',
    }
    return _event(message_id, properties, overrides)


def _identify(message_id: str, **overrides: str | None) -> dict:
    return _event(message_id, {"user_id": None}, overrides)


def identifies_rows() -> list[dict]:
    """Normalization cases, one identify call each."""
    rows = [_identify(case, email=raw) for case, raw, _ in EMAIL_CASES]
    rows += [_identify(case, phone=raw) for case, raw, _ in PHONE_CASES]
    rows += [_identify(case, anonymous_id=anon, user_id=user) for case, anon, user, _, _ in ID_CASES]
    rows += [_identify(case, timestamp=raw) for case, raw, _ in TIMESTAMP_CASES]
    return rows


def tracks_rows() -> list[dict]:
    """Dedupe cases: three copies of one message, and a message whose first copy is broken."""

    def track(message_id: str, received_at: str, ip: str, timestamp: str = TS) -> dict:
        return {
            "id": message_id,
            "anonymous_id": "anon-dup",
            "event": "product_viewed",
            "timestamp": timestamp,
            "received_at": received_at,
            "context_ip": ip,
        }

    return [
        track("dup-three-copies", "2026-03-01T12:00:05Z", "10.0.0.2"),
        track("dup-three-copies", "2026-03-01T12:00:01Z", "10.0.0.1"),
        track("dup-three-copies", "2026-03-01T12:03:00Z", "10.0.0.3"),
        track("dup-first-copy-broken", "2026-03-01T12:00:01Z", "10.0.0.9", timestamp="garbage"),
        track("dup-first-copy-broken", "2026-03-01T12:00:09Z", "10.0.0.8"),
        track("single", "2026-03-01T12:00:01Z", "10.0.0.7"),
    ]


def users_rows() -> list[dict]:
    """Segment upserts users: the newest copy of a user id carries the current traits."""
    return [
        {"id": "u-dup", "received_at": "2026-01-01T00:00:00Z", "email": "old@shop.io"},
        {"id": "u-dup", "received_at": "2026-02-01T00:00:00Z", "email": "NEW@shop.io"},
        {"id": "u-single", "received_at": "2026-02-01T00:00:00Z", "email": "one@shop.io"},
    ]


def crafted_tables() -> dict[str, list[dict]]:
    """Every crafted raw table; tables not listed here are absent, as in a young Segment schema."""
    pages = [_page(case, **overrides) for case, overrides, _ in PAGE_REJECT_CASES]
    pages += [_page(case, **overrides) for case, overrides in PAGE_EDGE_ACCEPTED]
    pages.append(_page(None, anonymous_id="anon-missing-id"))
    orders = [_order(case, **overrides) for case, overrides, _ in ORDER_REJECT_CASES]
    orders += [_order("order-valid"), _order("order-bad-revenue", revenue="lots")]
    return {
        "identifies": identifies_rows(),
        "tracks": tracks_rows(),
        "users": users_rows(),
        "pages": pages,
        "order_completed": orders,
    }
