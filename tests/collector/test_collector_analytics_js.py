"""analytics.js (`@segment/analytics-next` from npm) on a web page in headless Chromium sends to
the collector: it loads its settings from the collector as it would from Segment's CDN, posts its
calls cross-origin, and the page view, the anonymous add-to-cart, the sign-in and the order reach
raw tables, one profile in the identity graph and that profile's traits."""

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support.browser import render
from tests.support.collector import WRITE_KEYS, as_of_after_now, load_landing, running_collector
from tests.support.warehouse import query, run_dbt

HERE = Path(__file__).parent / "analytics_js"
BUNDLE = HERE / "node_modules" / "@segment" / "analytics-next" / "dist" / "umd"


def _installed_bundle() -> Path:
    """analytics.js as npm installs it from the lock file (make test does this; here if missing)."""
    if not (BUNDLE / "index.js").exists():
        if shutil.which("npm") is None:
            pytest.fail("npm is needed to install @segment/analytics-next for this test")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True)
    return BUNDLE


class _ShopHandler(http.server.SimpleHTTPRequestHandler):
    """The shop's web server: the page, and analytics.js under /analytics-next/."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if path.startswith("/analytics-next/"):
            return str(_installed_bundle() / path.removeprefix("/analytics-next/"))
        return str(HERE / "page.html")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def shop_site():
    _installed_bundle()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_ShopHandler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def warehouse(shop_site, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("analytics_js")
    with running_collector(root / "landing") as collector:
        page = f"{shop_site}/shop.html?writeKey={WRITE_KEYS['web']}&collector={collector.url}"
        dom = render(page, root / "chromium")
    status = re.search(r'<p id="status">([^<]*)</p>', dom)
    assert status and status.group(1).startswith("sent "), f"the page did not finish sending:\n{dom[-2000:]}"
    anonymous_id = status.group(1).removeprefix("sent ").strip()
    db = root / "upstream.duckdb"
    load_landing(root / "landing", db)
    run_dbt(db, "build", "--vars", as_of_after_now())
    return db, anonymous_id


def test_every_call_of_the_page_lands_in_raw(warehouse):
    db, anonymous_id = warehouse
    assert query(
        db, "select name, path, context_library_name from raw.pages where anonymous_id = ?", [anonymous_id]
    ) == [("Checkout", "/checkout", "analytics.js")]
    assert query(
        db, "select sku, upstream_source from raw.product_added where anonymous_id = ?", [anonymous_id]
    ) == [("SKU-JS", "web")]
    assert query(db, "select email, first_name from raw.identifies where user_id = 'user-js-1'") == [
        ("Browser@Mailbox.org", "Bea")
    ]
    assert query(db, "select order_id, total from raw.order_completed where user_id = 'user-js-1'") == [
        ("order-js-1", 12.5)
    ]
    user_agents = query(
        db, "select distinct context_user_agent from raw.tracks where anonymous_id = ?", [anonymous_id]
    )
    assert len(user_agents) == 1 and "Chrome" in user_agents[0][0]


def test_the_browser_visitor_becomes_the_customer_profile(warehouse):
    db, anonymous_id = warehouse
    profiles = query(
        db,
        "select distinct profile_id from main.id_graph where (id_type, id_value) in "
        "(('anonymous_id', ?), ('user_id', 'user-js-1'), ('email', 'browser@mailbox.org'))",
        [anonymous_id],
    )
    assert len(profiles) == 1
    assert query(
        db,
        "select email, order_count, lifetime_revenue from main.profiles where profile_id = ?",
        [profiles[0][0]],
    ) == [("browser@mailbox.org", 1, 12.5)]
