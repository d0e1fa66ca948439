"""Chart pages in a real browser on a cold cache: when the page shows, and when its first chart is drawn.

Loads the standard demo into a throw-away database, serves it with `northstar serve` (gunicorn and
WhiteNoise, as in production), and opens chart pages as a product leader in Debian's Chromium, each
time in a fresh browser context (nothing cached). Two ways of loading plotly.js, in the same run:

- now: the partial bundle (scatter, bar, pie) loaded deferred; the page's charts are drawn after it;
- before (the issue's baseline): the full 4.8 MB bundle loaded by a blocking script tag (the page is
  rewritten on its way to the browser to load it that way).

Each is measured on the local network and on an emulated 10 Mbit/s line with 40 ms latency.

    .venv/bin/python benchmarks/chart_render.py [--repeat 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import write_json
from _site import RESULTS, boot, load_site

CHROMIUM = "/usr/bin/chromium"
FULL_URL = "/assets/plotly.js?bundle=full"
PAGES = [("strategy dashboard", "/strategy/"), ("KPI detail", "/strategy/kpis/{metric}/")]
NETWORKS = {
    "local": None,
    "10 Mbit/s, 40 ms": {"latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 5e6 / 8},
}
TIMING = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  return {first_paint_ms: paint ? paint.startTime : null, chart_ms: window.__chartDrawn};
}"""
#: Notes the moment the first chart's SVG appears (set before any page script runs).
WATCH = """new MutationObserver((_, observer) => {
  if (document.querySelector(".js-plotly-plot .main-svg")) {
    window.__chartDrawn = performance.now(); observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    northstar = str(Path(sys.executable).with_name("northstar"))
    process = subprocess.Popen(
        [northstar, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("northstar serve did not start")


def as_before(html: str, full_url: str) -> str:
    """The page as it was: the full bundle, loaded by a blocking script tag where the charts begin."""
    deferred = r'<script src="[^"]*plotly\.js[^"]*" defer></script>'
    return re.sub(deferred, f'<script src="{full_url}"></script>', html)


def cold_load(
    browser, base: str, state: dict, path: str, *, before: bytes | None, network: dict | None
) -> dict:
    """Open `path` in a fresh context (an empty cache) and time its first paint and first chart."""
    context = browser.new_context(base_url=base, storage_state=state)
    context.add_init_script(WATCH)
    tab = context.new_page()
    if network:
        cdp = context.new_cdp_session(tab)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})

    def page(route) -> None:
        response = route.fetch()
        body = response.text()
        route.fulfill(response=response, body=as_before(body, FULL_URL) if before else body)

    tab.route(f"{base}{path}", page)
    tab.goto(path)
    tab.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    timing = tab.evaluate(TIMING)
    context.close()
    return timing


def sign_in(browser, base: str, username: str, password: str) -> dict:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    boot()
    import plotly.offline
    from playwright.sync_api import sync_playwright

    from northstar.core.models import User
    from northstar.core.roles import Role
    from northstar.core.web import plotly_bundle
    from northstar.strategy.models import Metric

    load_site("standard")
    password = "bench-password-1"
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    user.set_password(password)
    user.save()
    metric = Metric.objects.order_by("id").first()
    full_js = plotly.offline.get_plotlyjs().encode()
    bundle, bundle_path = plotly_bundle()
    sizes = {"now": bundle_path.stat().st_size if bundle_path else len(full_js), "before": len(full_js)}
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            state = sign_in(browser, base, user.username, password)
            for _name, url in PAGES:  # warm the server (its first requests build caches), not the browser
                cold_load(browser, base, state, url.format(metric=metric.pk), before=False, network=None)
            for variant, network, (name, url) in itertools.product(("now", "before"), NETWORKS, PAGES):
                path = url.format(metric=metric.pk)
                samples = [
                    cold_load(
                        browser,
                        base,
                        state,
                        path,
                        before=variant == "before",
                        network=NETWORKS[network],
                    )
                    for _ in range(args.repeat)
                ]
                rows.append(
                    {
                        "case": f"{name}, {network}, {variant}",
                        "bundle": bundle if variant == "now" else "full, blocking",
                        "first_paint_ms": round(statistics.median(s["first_paint_ms"] for s in samples), 1),
                        "first_chart_ms": round(statistics.median(s["chart_ms"] for s in samples), 1),
                        "plotly_kb": round(sizes[variant] / 1024, 1),
                    }
                )
                print(rows[-1], flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(rows, Path(args.json) if args.json else RESULTS / "chart_render.json", repeat=args.repeat)


def report(rows: list[dict], path: Path, *, repeat: int) -> None:
    width = max(len(r["case"]) for r in rows) + 2
    print(f"\n{'case':<{width}} {'first paint ms':>14} {'first chart ms':>14} {'plotly KB':>10}")
    for r in rows:
        print(
            f"{r['case']:<{width}} {r['first_paint_ms']:>14} {r['first_chart_ms']:>14} {r['plotly_kb']:>10}"
        )
    record = {
        "repeat": repeat,
        "cold_cache": True,
        "plotly_kb": "uncompressed",
        "cases": rows,
    }
    write_json(path, record)


if __name__ == "__main__":
    main()
