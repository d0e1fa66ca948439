"""The capture snippet in Chromium on a shop's page: the detectors report exactly the friction performed,
a form started and left, and nothing typed ever leaves the page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import northstar.analytics
from northstar.analytics import selectors
from northstar.analytics.models import Event, Site
from tests import factories

SNIPPET = Path(northstar.analytics.__file__).parent / "static" / "analytics" / "capture.js"
PAGE = """<!doctype html><html><body>
<p id="count">0</p>
<button id="buy">Buy</button>
<span id="label" class="price">Total</span>
<button id="wallet">Wallet</button>
<input type="password" id="pw"> <input type="text" id="name">
<form id="signup" action="#"><input type="email" id="email" name="email"></form>
<script>
  document.getElementById("buy").addEventListener("click", function () {
    var c = document.getElementById("count"); c.textContent = String(Number(c.textContent) + 1);
  });
  document.getElementById("wallet").addEventListener("click", function () {
    this.textContent = "Wallet…"; throw new Error("wallet failed");
  });
</script>
<script src="/shop/capture.js" data-key="KEY" data-endpoint="ENDPOINT"></script>
</body></html>"""


#: Headless Chromium says so in its User-Agent, and capture drops bots: this test browses as a person.
PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def person_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, user_agent=PERSON)
    context.set_default_timeout(10_000)
    yield context.new_page()
    # Closing the page makes the snippet send its last batch; answered while the test database is
    # being emptied, it broke the flush ("SQL statements in progress") and every later test with it.
    context.route("**/api/v1/analytics/collect", lambda route: route.abort())
    context.close()
    time.sleep(1)  # a batch already on its way is answered before the live server's teardown


def test_snippet_captures_friction_and_never_what_is_typed(person_page, live_server):
    page = person_page
    # The shop's page is served (by the browser's router) under Northstar's own origin: Chromium's
    # local-network rules would stop a page of another origin from reaching a loopback server.
    host = live_server.url + "/shop"
    line = factories.make_line(name="Shop line")
    product = factories.make_product(name="Shop", line=line)
    site = Site.objects.create(
        product=product, name="Shop web", key="ns_a_browser", allowed_origins=live_server.url
    )
    html = PAGE.replace("KEY", site.key).replace("ENDPOINT", f"{live_server.url}/api/v1/analytics/collect")
    page.route(f"{host}/", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.route(
        f"{host}/capture.js",
        lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=SNIPPET.read_text()
        ),
    )
    sent: list[str] = []
    page.on("request", lambda request: sent.append((request.url or "") + (request.post_data or "")))
    page.goto(f"{host}/")
    for _ in range(4):  # rage: four quick clicks on a button that does react
        page.mouse.click(*_centre(page, "#buy"))
    page.wait_for_timeout(1500)
    page.click("#label")  # dead: nothing happens
    page.wait_for_timeout(1500)
    page.click("#wallet")  # reacts, then throws
    page.focus("#pw")
    page.keyboard.type("hunter2secret")
    page.focus("#name")
    page.keyboard.type("Zebediah")
    page.focus("#email")  # starts the sign-up form, then leaves it: form abandonment
    page.keyboard.type("zeb@example.com")
    page.wait_for_timeout(1500)  # the snippet judges a click a second after it
    deadline = time.monotonic() + 15  # the snippet sends its batch within five seconds
    while time.monotonic() < deadline and not Event.objects.filter(site_id=site.pk, kind=2).exists():
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    report = selectors.friction_report(site)
    found = {(row.signal, row.element) for row in report}
    assert found == {
        ("rage_click", "button#buy"),
        ("dead_click", "span#label"),
        ("error_click", "button#wallet"),
        ("error", "Uncaught Error: wallet failed"),
        ("form_abandon", "form#signup"),
    }, found
    assert all("hunter2" not in body and "Zebediah" not in body and "zeb@" not in body for body in sent)
    assert any("/api/v1/analytics/collect" in body for body in sent)


def _centre(page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


RETRY_PAGE = """<!doctype html><html><body><p>Checkout</p>
<script src="/shop/capture.js" data-key="KEY" data-endpoint="ENDPOINT"></script>
</body></html>"""


def test_a_batch_retried_after_a_lost_answer_is_stored_once(person_page, live_server):
    """The server stores a batch but its answer never reaches the page (here: a 503 in its place); the
    snippet retries that batch, and the events are in the table once, not twice."""
    page = person_page
    host = live_server.url + "/shop"
    endpoint = f"{live_server.url}/api/v1/analytics/collect"
    product = factories.make_product(name="Shop", line=factories.make_line(name="Shop line"))
    site = Site.objects.create(
        product=product, name="Shop web", key="ns_a_retry", allowed_origins=live_server.url
    )
    html = RETRY_PAGE.replace("KEY", site.key).replace("ENDPOINT", endpoint)
    page.route(f"{host}/", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.route(
        f"{host}/capture.js",
        lambda route: route.fulfill(
            status=200, content_type="application/javascript", body=SNIPPET.read_text()
        ),
    )
    answers: list[int] = []

    def lose_the_first_answer(route) -> None:
        stored = route.fetch()  # the batch reaches the server, which stores it...
        answers.append(stored.status)
        if len(answers) == 1:
            route.fulfill(status=503, body="")  # ...but the page is told it failed
        else:
            route.fulfill(response=stored)

    page.route(endpoint, lose_the_first_answer)
    page.goto(f"{host}/")
    page.evaluate("for (let i = 0; i < 3; i++) window.northstar.track('paid', {n: i})")
    deadline = time.monotonic() + 20  # sent within five seconds, retried two seconds after the 503
    while time.monotonic() < deadline and len(answers) < 2:
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)
    assert answers[:2] == [202, 202], answers
    events = Event.objects.filter(site_id=site.pk)
    assert events.filter(name="paid").count() == 3
    assert events.count() == 4  # the page view and the three custom events, each once
