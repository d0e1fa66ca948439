"""Core pages: signing in and out, the dashboard, the audit log, API tokens, navigation and error pages."""

from __future__ import annotations

import gzip
import re

import pytest
from django.urls import Resolver404, resolve, reverse

from northstar.core.models import ApiToken
from northstar.core.services import api_token_create
from northstar.org import services as org_services
from northstar.portfolio import services as portfolio_services
from northstar.portfolio.models import Stage
from tests import factories


def test_signing_in_through_the_form_lands_on_the_dashboard(cast, client):
    page = client.get(reverse("core:login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'autocomplete="current-password"' in page.content

    response = client.post(reverse("core:login"), {"username": "pm", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).context["user"] == cast.pm


def test_a_wrong_password_is_explained_not_accepted(cast, client):
    response = client.post(reverse("core:login"), {"username": "pm", "password": "not-the-password"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_sign_in_returns_to_the_page_asked_for(cast, client):
    target = reverse("org:chart")
    bounced = client.get(target)
    assert bounced.status_code == 302
    assert bounced["Location"] == f"{reverse('core:login')}?next={target}"
    signed_in = client.post(
        reverse("core:login"), {"username": "pm", "password": factories.PASSWORD, "next": target}
    )
    assert signed_in["Location"] == target


def test_sign_out_is_a_post_and_ends_the_session(cast, login):
    client = login(cast.pm)
    assert client.get(reverse("core:logout")).status_code == 405
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:login")
    assert client.get(reverse("core:home")).status_code == 302


def test_home_shows_the_cockpit_and_where_the_work_sits(cast, login):
    factories.make_initiative(title="Checkout redesign", product=cast.home_product, stage=Stage.PLANNED)
    response = login(cast.stakeholder).get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["cockpit"].outlook.kind == "published"
    planned = next(s for s in response.context["stages"] if s["value"] == Stage.PLANNED)
    assert planned["count"] == 1
    assert response.context["initiative_total"] == 3
    assert "Objectives at risk" in html
    assert f'href="{reverse("portfolio:list")}?stage=planned"' in html
    # A stakeholder is not offered a button they cannot use.
    assert "New initiative" not in html


def test_navigation_lists_areas_and_marks_the_ones_to_come_without_links(cast, login):
    html = login(cast.pm).get(reverse("core:home")).content.decode()
    for label, name in [
        ("Org chart", "org:chart"),
        ("People", "org:people"),
        ("Product lines", "org:lines"),
        ("Teams", "org:teams"),
        ("Portfolio", "portfolio:list"),
        ("Strategy", "strategy:dashboard"),
        ("Feedback", "feedback:inbox"),
        ("Roadmap", "planning:roadmap"),
        ("Reports", "reports:index"),
        ("People & hiring", "people:index"),
        ("Market", "market:index"),
        ("Analytics", "analytics:index"),
        ("API tokens", "core:tokens"),
    ]:
        assert f'<a href="{reverse(name)}"' in html, label
    nav = html[html.index('id="site-nav"') : html.index("</nav>")]
    assert 'class="soon"' not in nav  # every area is built now
    assert "Audit log" not in nav
    assert "Product manager" in nav and "Sign out" in nav
    assert 'action="/logout/"' in nav and 'method="post"' in nav


def test_leaders_see_the_audit_log_in_the_navigation(cast, login):
    html = login(cast.leader).get(reverse("core:home")).content.decode()
    assert f'<a href="{reverse("core:audit")}">Audit log</a>' in html


def test_no_page_links_to_an_address_that_does_not_exist(cast, login):
    """Every link on the main pages resolves (no dead links, including the nav)."""
    client = login(cast.admin)
    for name in ("core:home", "org:chart", "org:lines", "portfolio:list", "core:tokens", "core:audit"):
        html = client.get(reverse(name)).content.decode()
        for href in re.findall(r'href="(/[^"?#]*)', html):
            if href.startswith(("/static/", "/api/v1/")):
                continue
            try:
                resolve(href)
            except Resolver404:  # pragma: no cover - the assertion below reports it
                pytest.fail(f"{name} links to {href}, which does not exist")


# Audit log ---------------------------------------------------------------------------------------


def test_audit_log_shows_field_level_changes_and_filters(cast, login):
    portfolio_services.initiative_update(
        actor=cast.leader, initiative=cast.home_initiative, title="Home work v2"
    )
    org_services.person_update(actor=cast.admin, person=cast.pm_person, title="Senior PM")
    client = login(cast.admin)

    everything = client.get(reverse("core:audit"))
    assert everything.status_code == 200
    html = everything.content.decode()
    assert '<span class="old">Home work</span>' in html
    assert '<span class="new">Home work v2</span>' in html
    assert "Senior PM" in html
    assert f'<a class="record" href="/portfolio/{cast.home_initiative.pk}/">Home work v2</a>' in html

    by_type = client.get(reverse("core:audit"), {"record_type": "portfolio.initiative"})
    assert [e.record_type for e in by_type.context["page_obj"]] == ["portfolio.initiative"]
    by_actor = client.get(reverse("core:audit"), {"actor": cast.admin.pk})
    assert [e.record_repr for e in by_actor.context["page_obj"]] == ["Pat PM"]
    by_id = client.get(
        reverse("core:audit"), {"record_type": "org.person", "record_id": str(cast.pm_person.pk)}
    )
    assert len(by_id.context["page_obj"]) == 1
    nothing = client.get(reverse("core:audit"), {"record_id": "999999"})
    assert "No changes match these filters." in nothing.content.decode()


def test_audit_filters_swap_only_the_results_over_htmx(cast, login):
    portfolio_services.initiative_update(actor=cast.leader, initiative=cast.home_initiative, title="Renamed")
    response = login(cast.leader).get(reverse("core:audit"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content and b"Renamed" in response.content
    assert "HX-Request" in response["Vary"]


def test_audit_log_is_paginated(cast, login, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        portfolio_services.initiative_update(
            actor=cast.leader, initiative=cast.home_initiative, title=f"T{n}"
        )
    client = login(cast.leader)
    first = client.get(reverse("core:audit"))
    assert first.context["page_obj"].paginator.num_pages == 3
    assert "Page 1 of 3" in first.content.decode()
    last = client.get(reverse("core:audit"), {"page": 3})
    assert len(last.context["page_obj"]) == 1


@pytest.mark.parametrize("role", ["pm", "stakeholder"])
def test_audit_log_is_refused_to_non_leaders_with_the_reason(cast, login, role):
    response = login(cast.user(role)).get(reverse("core:audit"))
    assert response.status_code == 403
    assert "Only product leaders and admins can read the audit log." in response.content.decode()


# API tokens --------------------------------------------------------------------------------------


def test_creating_a_token_shows_it_once(cast, login):
    client = login(cast.pm)
    page = client.get(reverse("core:tokens"))
    assert 'href="/api/v1/docs"' in page.content.decode()

    created = client.post(reverse("core:tokens"), {"name": "roadmap sync"})
    assert created.status_code == 200
    raw = created.context["new_token"]["raw"]
    assert raw.startswith("nst_") and raw in created.content.decode()
    token = ApiToken.objects.get(user=cast.pm)
    assert token.name == "roadmap sync"

    again = client.get(reverse("core:tokens")).content.decode()
    assert raw not in again
    assert "roadmap sync" in again and token.prefix in again


def test_a_token_needs_a_name(cast, login):
    response = login(cast.pm).post(reverse("core:tokens"), {"name": "  "})
    assert response.status_code == 422
    assert "A token needs a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_token(cast, login):
    token, _ = api_token_create(user=cast.pm, name="old laptop")
    client = login(cast.pm)
    response = client.post(reverse("core:token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "Token revoked" in response.content.decode()
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_nobody_can_revoke_someone_elses_token(cast, login):
    token, _ = api_token_create(user=cast.leader, name="leader's")
    response = login(cast.pm).post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_stylesheet_and_script_are_served(cast, client):
    """Pages link /static/northstar/app.css; a missing static setting would leave them unstyled."""
    assert client.get("/static/northstar/app.css").status_code == 200
    assert client.get("/static/northstar/app.js").status_code == 200
    html = client.get(reverse("core:login")).content.decode()
    assert 'href="/static/northstar/app.css"' in html and "htmx-2" in html


# Error pages -------------------------------------------------------------------------------------


def test_missing_records_get_the_friendly_404_page(cast, login):
    response = login(cast.pm).get(reverse("portfolio:detail", args=[999999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and "No initiative with id 999999." in html
    assert "Traceback" not in html


def test_unknown_addresses_get_the_404_page_even_signed_out(db, client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Nothing here" in response.content.decode()


def test_refused_pages_get_the_friendly_403_page(cast, login):
    response = login(cast.stakeholder).get(reverse("portfolio:create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can’t open this page" in html and "read-only" in html
    assert 'id="site-nav"' in html


def test_plotly_is_served_from_the_package_compressed_and_cached(client):
    response = client.get(reverse("core:plotly_js"), {"v": "1"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert b"plotly" in gzip.decompress(response.content)[:2000].lower()
    plain = client.get(reverse("core:plotly_js"))
    assert plain.get("Content-Encoding") is None and plain.content.startswith(
        gzip.decompress(response.content)[:100]
    )


def test_every_date_field_of_every_form_renders_iso_dates():
    """A date input only accepts YYYY-MM-DD: a localised 03/12/2026 shows as an empty, invalid field."""
    import datetime
    import importlib
    import pkgutil

    from django import forms

    import northstar

    found = []
    for module_info in pkgutil.walk_packages(northstar.__path__, "northstar."):
        if (
            "migrations" in module_info.name
            or ".engines" in module_info.name
            or not module_info.name.endswith("forms")
        ):
            continue
        module = importlib.import_module(module_info.name)
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.DateField):
                    rendered = field.widget.render(name, datetime.date(2026, 12, 3))
                    found.append(form.__name__)
                    assert 'value="2026-12-03"' in rendered and 'type="date"' in rendered, (
                        form,
                        name,
                        rendered,
                    )
    assert {"DecisionForm", "PublishForm", "PeriodForm"} <= set(found)


def _described_ids_missing(html: str) -> list[str]:
    """Ids that an aria-describedby names but the page does not render."""
    named = {i for value in re.findall(r'aria-describedby="([^"]*)"', html) for i in value.split()}
    present = set(re.findall(r'\bid="([^"]+)"', html))
    return sorted(named - present)


def test_help_text_and_field_errors_are_tied_to_their_inputs(cast, login):
    client = login(cast.leader)
    shown = client.get(reverse("portfolio:create")).content.decode()
    assert 'aria-describedby="id_problem_statement_helptext"' in shown
    assert _described_ids_missing(shown) == []
    refused = client.post(reverse("portfolio:create"), {"title": "", "kind": "idea"}).content.decode()
    assert 'aria-invalid="true"' in refused
    assert re.search(r'aria-describedby="[^"]*id_title_error', refused)
    assert _described_ids_missing(refused) == []
    for url in (
        reverse("portfolio:decision_create", args=[cast.home_initiative.pk]),
        reverse("org:team_create"),
        reverse("strategy:period_create"),
    ):
        assert _described_ids_missing(client.get(url).content.decode()) == [], url


def test_every_page_names_a_favicon_that_exists(cast, login, client):
    page = login(cast.pm).get(reverse("core:home")).content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert icon, "no favicon link"
    assert client.get(icon[1]).status_code == 200
    old_style = client.get("/favicon.ico", follow=True)  # what browsers ask for without a link
    assert old_style.status_code == 200 and b"<svg" in b"".join(
        old_style.streaming_content if old_style.streaming else [old_style.content]
    )


def test_a_refused_page_logs_one_line_not_a_traceback(cast, login, caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger="django.request"):
        refused = login(cast.stakeholder).get(reverse("portfolio:create"))
        api = login(cast.stakeholder).post(
            "/api/v1/initiatives", data={"title": "x"}, content_type="application/json"
        )
    assert refused.status_code == 403 and api.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and not [r for r in records if r.exc_info]  # "Forbidden: /portfolio/new/", no traceback


def test_chart_pages_get_the_partial_plotly_bundle(client):
    from northstar.core.web import plotly_bundle, plotly_url
    from tests.environment import require

    name, _path = plotly_bundle()
    require("plotly.js's partial bundle (make install puts it in place with npm)", name == "basic")
    assert plotly_url().endswith("-basic")
    served = client.get(plotly_url())
    assert served.status_code == 200 and len(served.content) < 2_000_000  # the full bundle is 4.8 MB
