"""Raw identify calls that build small identity graphs with a known right answer.

Each scenario is a list of identify calls (anonymous_id, user_id, email, phone, device_id) in
arrival order; `received_at` follows the list order so "linked first" is unambiguous.
"""

from datetime import datetime, timedelta

START = datetime(2026, 3, 1, 12, 0, 0)

# name -> list of calls; each call is a dict of identifiers.
SCENARIOS: dict[str, list[dict]] = {
    # a1 -e1- a2 -u1: a chain through an email and a second cookie.
    "chain": [
        {"anonymous_id": "chain-a1", "email": "chain.e1@gmail.com"},
        {"anonymous_id": "chain-a2", "email": "chain.e1@gmail.com"},
        {"anonymous_id": "chain-a2", "user_id": "chain-u1"},
    ],
    # Many cookies and a device around one user.
    "star": [
        {"anonymous_id": "star-b1", "user_id": "star-u2"},
        {"anonymous_id": "star-b2", "user_id": "star-u2"},
        {"anonymous_id": "star-b3", "user_id": "star-u2", "device_id": "STAR-D1"},
    ],
    # A family laptop: two people log in on the same cookie; they must stay apart and the
    # cookie stays with whoever was linked to it first.
    "shared_laptop": [
        {"anonymous_id": "shared-s1", "user_id": "shared-u3", "email": "parent@gmail.com"},
        {"anonymous_id": "shared-s2", "user_id": "shared-u4", "email": "teen@gmail.com"},
        {"anonymous_id": "shared-s1", "user_id": "shared-u4"},
    ],
    # Junk values must not weld strangers together.
    "junk": [
        {"anonymous_id": "junk-j1", "email": "test@test.com"},
        {"anonymous_id": "junk-j2", "email": "test@test.com"},
        {"anonymous_id": "junk-j3", "email": "bob@example.com"},
        {"anonymous_id": "junk-j4", "email": "bob@example.com"},
        {"anonymous_id": "junk-j5", "phone": "000-000-0000"},
        {"anonymous_id": "junk-j6", "phone": "000-000-0000"},
        {"anonymous_id": "junk-j7", "phone": "(123) 555-0100"},
        {"anonymous_id": "junk-j8", "phone": "(123) 555-0100"},
        {"anonymous_id": "junk-j9", "email": "noreply@gmail.com"},
        {"anonymous_id": "junk-j10", "email": "noreply@gmail.com"},
    ],
    # One email shared by four accounts (a family or a test inbox): a hub, kept out.
    "hub": [
        {"anonymous_id": f"hub-h{i}", "user_id": f"hub-u{i}", "email": "front.desk@gmail.com"}
        for i in range(1, 5)
    ],
    # The same email typed two ways joins two cookies.
    "format_variants": [
        {"anonymous_id": "fmt-k1", "email": " Kim.Lee@Shop.IO "},
        {"anonymous_id": "fmt-k2", "email": "kim.lee@shop.io"},
        {"anonymous_id": "fmt-k2", "phone": "(415) 555-0199"},
        {"anonymous_id": "fmt-k3", "phone": "+1 415 555 0199"},
    ],
    # Six emails on one user: the limit (5) keeps the five that arrived first.
    "email_limit": [
        {"anonymous_id": "lim-a1", "user_id": "lim-u7", "email": f"lim.{i}@gmail.com"} for i in range(1, 7)
    ],
}


def identify_rows(scenarios: dict[str, list[dict]] | None = None, start: datetime = START) -> list[dict]:
    """Raw `identifies` rows for the scenarios, one second apart, in list order."""
    rows = []
    for name, calls in (scenarios or SCENARIOS).items():
        for position, call in enumerate(calls):
            at = start + timedelta(seconds=len(rows))
            row = {
                "id": f"{name}-{position}",
                "timestamp": at.isoformat() + "Z",
                "received_at": at.isoformat() + "Z",
                "anonymous_id": call.get("anonymous_id"),
                "user_id": call.get("user_id"),
                "email": call.get("email"),
                "phone": call.get("phone"),
                "context_device_id": call.get("device_id"),
            }
            rows.append(row)
    return rows
