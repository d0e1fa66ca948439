"""Pages checked by an automated accessibility checker (axe-core, shipped by the axe-playwright-python
package) in a real browser: WCAG 2 A and AA rules, contrast included, on the demo company."""

from __future__ import annotations

import pytest

from northstar.demo import load_demo
from northstar.planning.models import PlanRun
from northstar.portfolio.models import Initiative
from northstar.strategy.models import KeyResult, Objective
from tests.browser.test_ui import sign_in

pytestmark = pytest.mark.browser

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

#: The rules checked: WCAG 2.0 and 2.1, levels A and AA.
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    """Every axe violation on the page, one line each: rule, impact, and where."""
    results = axe_module.Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:10]}"
        for v in results.response["violations"]
    ]


def test_the_main_pages_pass_an_accessibility_checker(cast, page, shoot):
    load_demo()
    initiative = Initiative.objects.filter(problem_statement__gt="").order_by("id").first()
    objective = Objective.objects.order_by("id").first()
    key_result = KeyResult.objects.order_by("id").first()
    run = PlanRun.objects.filter(status="done").order_by("-id").first()
    sign_in(page, "leader")
    pages = [
        "/",
        "/portfolio/",
        f"/portfolio/{initiative.pk}/",
        "/portfolio/new/",
        "/strategy/",
        "/strategy/alignment/",
        f"/strategy/objectives/{objective.pk}/",
        f"/strategy/key-results/{key_result.pk}/",
        "/roadmap/",
        f"/roadmap/plans/{run.pk}/",
        "/feedback/",
        "/feedback/themes/",
        "/org/",
    ]
    found = {}
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("load")
        problems = violations(page)
        if problems:
            found[url] = problems
    shoot(page, "a11y-last-page")
    assert not found, "\n".join(f"{url}:\n  " + "\n  ".join(p) for url, p in found.items())
