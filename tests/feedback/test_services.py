"""Feedback items, evidence links, demand per idea and themes whose edits survive re-clustering."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.feedback import selectors, services, theme_services
from northstar.feedback.models import EvidenceLink, FeedbackItem, Segment, Theme, ThemeRun
from northstar.portfolio.models import Initiative
from tests.feedback import factories as f

EXPORT = [
    "Please let us export invoices to CSV",
    "CSV export of all invoices for our accountant",
    "We need to export the invoice list as a CSV file",
    "Export invoices to Excel or CSV please",
    "Our finance team wants a CSV export of invoices",
    "Add a button to export invoices as CSV",
]
SSO = [
    "We need single sign-on with Okta",
    "SAML SSO is required by our security team",
    "Please support SSO login through Azure AD",
    "Single sign-on for all our staff, please",
    "Our IT will not approve you without SSO",
    "Login with Google Workspace SSO",
]
DARK = [
    "Dark mode for the mobile app please",
    "The app is too bright at night, add a dark theme",
    "A dark mode would be easier on the eyes",
    "Please add night mode to the app",
    "Dark theme for the dashboard",
    "I would love a dark mode in the app",
]


def test_typed_in_feedback_is_audited_and_lands_on_the_senders_account(cast):
    customer = f.make_customer("Acme")
    customer.contacts.create(name="Ana", email="ana@acme.example")
    item = services.feedback_create(actor=cast.pm, text="  Faster payouts  ", author_email="ANA@acme.example")
    assert item.text == "Faster payouts"
    assert item.customer == customer
    assert AuditEntry.objects.filter(record_type="feedback.feedbackitem", record_id=str(item.pk)).exists()
    with pytest.raises(ValidationFailed, match="already"):
        services.feedback_create(
            actor=cast.pm,
            text="Faster payouts",
            author_email="ana@acme.example",
            received_at=item.received_at,
        )


def test_empty_feedback_and_stakeholders_are_refused(cast):
    with pytest.raises(ValidationFailed, match="some text"):
        services.feedback_create(actor=cast.pm, text="   ")
    with pytest.raises(PermissionDenied):
        services.feedback_create(actor=cast.stakeholder, text="hello")


def test_a_quote_must_come_from_the_item_and_linking_processes_the_item(cast):
    item = f.make_item("Exports time out after 30 seconds. Please make them faster.")
    with pytest.raises(ValidationFailed, match="passage"):
        services.link_create(
            actor=cast.pm, item=item, initiative=cast.home_initiative, quote="Something else"
        )
    link = services.link_create(
        actor=cast.pm, item=item, initiative=cast.home_initiative, quote="exports time out  after 30 seconds"
    )
    assert link.quote
    item.refresh_from_db()
    assert item.status == FeedbackItem.Status.PROCESSED
    with pytest.raises(ValidationFailed, match="already"):
        services.link_create(
            actor=cast.pm,
            item=item,
            initiative=cast.home_initiative,
            quote="exports time out  after 30 seconds",
        )


def test_an_idea_created_from_feedback_carries_it_as_evidence(cast):
    item = f.make_item("We need SAML single sign-on")
    idea = services.idea_from_feedback(actor=cast.pm, item=item, title="SSO", product_id=cast.home_product.pk)
    assert idea.kind == "idea" and "SAML single sign-on" in idea.description
    assert EvidenceLink.objects.filter(item=item, initiative=idea).exists()
    with pytest.raises(PermissionDenied):  # the PM cannot create ideas in a line they do not belong to
        services.idea_from_feedback(actor=cast.pm, item=item, title="SSO", product_id=cast.away_product.pk)


def test_demand_counts_items_distinct_customers_revenue_once_and_segments(
    cast, django_assert_max_num_queries
):
    big = f.make_customer("Big", segment=Segment.ENTERPRISE, revenue="500000")
    small = f.make_customer("Small", segment=Segment.SMB, revenue="10000")
    dollars = f.make_customer("Yankee", segment=Segment.SMB, revenue="20000", currency="USD")
    idea = cast.home_initiative
    for customer in (big, big, small, dollars, None):
        services.link_create(actor=cast.pm, item=f.make_item(customer=customer), initiative=idea)
    other = cast.away_initiative
    with django_assert_max_num_queries(4):
        demand = selectors.demand_for_initiatives([idea.pk, other.pk])
    d = demand[idea.pk]
    assert (d.items, d.customers) == (5, 3)
    assert d.revenue == {"EUR": Decimal("510000"), "USD": Decimal("20000")}
    assert d.by_segment["enterprise"].items == 2 and d.by_segment["enterprise"].customers == 1
    assert d.by_segment["smb"].customers == 2 and d.by_segment["unknown"].items == 1
    assert demand[other.pk].items == 0 and demand[other.pk].revenue == {}


def test_demand_selector_runs_in_a_fixed_number_of_queries(cast):
    ids = []
    for n in range(20):
        initiative = Initiative.objects.create(title=f"Idea {n}")
        ids.append(initiative.pk)
        EvidenceLink.objects.create(item=f.make_item(customer=f.make_customer()), initiative=initiative)
    with CaptureQueriesContext(connection) as queries:
        selectors.demand_for_initiatives(ids)
    assert len(queries) == 3


# Themes ------------------------------------------------------------------------------------------


def _corpus():
    items = {}
    for label, texts in (("export", EXPORT), ("sso", SSO), ("dark", DARK)):
        items[label] = [f.make_item(t) for t in texts]
    return items


def _theme_of(items) -> set[int]:
    return {FeedbackItem.objects.get(pk=i.pk).theme_id for i in items}


def test_reclustering_finds_the_themes_and_names_them(cast):
    items = _corpus()
    run = theme_services.themes_recluster(actor=cast.pm)
    assert run.items == 18 and run.embedder
    for group in items.values():
        assert len(_theme_of(group)) == 1
    names = {label: Theme.objects.get(pk=_theme_of(group).pop()).name for label, group in items.items()}
    assert "csv" in names["export"].lower() or "export" in names["export"].lower()
    assert "sso" in names["sso"].lower() or "sign-on" in names["sso"].lower()
    assert "dark" in names["dark"].lower()
    for label, name in names.items():  # a phrase some customer wrote, not a keyword list
        assert "·" not in name and any(name.lower() in t.lower() for t in items_texts[label])
    assert sum(Theme.objects.filter(status="active").values_list("size", flat=True)) == 18


items_texts = {"export": EXPORT, "sso": SSO, "dark": DARK}


def test_reclustering_reuses_stored_embeddings_and_embeds_only_new_items(cast, monkeypatch):
    _corpus()
    embedder = theme_services.current_embedder()
    if embedder.corpus_fitted:
        pytest.skip("the fallback embedder's vectors are fitted per run and never stored")
    embedded: list[int] = []
    real = embedder.embed

    def counting(texts):
        embedded.append(len(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "embed", counting)
    theme_services.themes_recluster(actor=cast.pm)
    assert sum(embedded) == 18
    assert not FeedbackItem.objects.filter(embedding__isnull=True).exists()
    stored = dict(FeedbackItem.objects.values_list("id", "embedding"))
    embedded.clear()
    f.make_item("Okta single sign-on please")
    theme_services.themes_recluster(actor=cast.pm)
    assert sum(embedded) == 1  # only the new item; the 18 others reuse their stored vectors
    assert all(
        bytes(v) == bytes(stored[k])
        for k, v in FeedbackItem.objects.values_list("id", "embedding")
        if k in stored
    )


def test_a_rename_survives_reclustering_and_the_theme_keeps_its_id(cast):
    items = _corpus()
    theme_services.themes_recluster(actor=cast.pm)
    (theme_id,) = _theme_of(items["sso"])
    theme_services.theme_rename(actor=cast.pm, theme=Theme.objects.get(pk=theme_id), name="Enterprise login")
    f.make_item("Okta single sign-on please")
    theme_services.themes_recluster(actor=cast.pm)
    assert _theme_of(items["sso"]) == {theme_id}
    assert Theme.objects.get(pk=theme_id).name == "Enterprise login"


def test_a_merge_is_pinned_and_reclustering_does_not_pull_it_apart(cast):
    items = _corpus()
    theme_services.themes_recluster(actor=cast.pm)
    (export_id,) = _theme_of(items["export"])
    (dark_id,) = _theme_of(items["dark"])
    merged = theme_services.theme_merge(
        actor=cast.pm, theme=Theme.objects.get(pk=export_id), others=[Theme.objects.get(pk=dark_id)]
    )
    assert merged.pinned and merged.size == 12
    assert Theme.objects.get(pk=dark_id).status == Theme.Status.RETIRED
    theme_services.themes_recluster(actor=cast.pm)
    assert _theme_of(items["export"] + items["dark"]) == {export_id}


def test_a_split_makes_pinned_themes_that_stay_split(cast):
    items = _corpus()
    theme_services.themes_recluster(actor=cast.pm, n_themes=2)  # ask for fewer: two topics share one
    shared = [t for t in Theme.objects.filter(status="active") if t.size == 12]
    assert shared, "asking for two themes folds two topics together"
    parts = theme_services.theme_split(actor=cast.pm, theme=shared[0], parts=2)
    assert len(parts) == 2 and all(p.pinned for p in parts)
    groups = [g for g in items.values() if len(_theme_of(g)) == 1 and _theme_of(g) <= {p.pk for p in parts}]
    assert len(groups) == 2  # each topic in its own part
    theme_services.themes_recluster(actor=cast.pm, n_themes=1)
    assert {p.pk for p in parts} == set().union(*(_theme_of(g) for g in groups))


def test_new_items_join_their_nearest_theme_as_they_arrive(cast, django_capture_on_commit_callbacks):
    _corpus()
    theme_services.themes_recluster(actor=cast.pm)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.feedback_create(actor=cast.pm, text="Could you add SAML single sign-on?")
        unrelated = services.feedback_create(actor=cast.pm, text="The weather in Lisbon was lovely")
    item.refresh_from_db()
    unrelated.refresh_from_db()
    assert item.theme is not None and item.theme_id == FeedbackItem.objects.filter(text=SSO[0]).get().theme_id
    assert unrelated.theme is None


def test_the_fallback_embedder_clusters_and_says_so(cast):
    _corpus()
    run = theme_services.themes_recluster(actor=cast.pm, prefer="tfidf-svd")
    assert run.embedder == "tfidf-svd" and "TF-IDF" in run.embedder_label
    assert ThemeRun.objects.count() == 1


def test_theme_edits_are_refused_to_stakeholders(cast):
    theme = f.make_theme(items=2)
    with pytest.raises(PermissionDenied):
        theme_services.theme_rename(actor=cast.stakeholder, theme=theme, name="x")
    with pytest.raises(PermissionDenied):
        theme_services.themes_recluster(actor=cast.stakeholder)


def test_evidence_feeds_the_ideas_reach_weighted_by_revenue(cast):
    from northstar.portfolio.models import ScoringInput
    from tests.feedback.factories import make_customer, make_item

    idea = cast.home_initiative
    big = make_customer("Big", revenue="90000")
    small = make_customer("Small", revenue="10000")
    # The reference is the average account (50,000): Big counts 0.5 + 0.5 * 1.8, Small 0.5 + 0.5 * 0.2.
    services.link_create(actor=cast.pm, item=make_item("Need SSO", customer=big), initiative=idea)
    services.link_create(actor=cast.pm, item=make_item("SSO please", customer=big), initiative=idea)
    link = services.link_create(actor=cast.pm, item=make_item("SSO!", customer=small), initiative=idea)
    row = ScoringInput.objects.get(initiative=idea)
    assert row.reach_evidence == pytest.approx(1.4 + 0.6)  # Big once, however often it asked
    services.link_delete(actor=cast.pm, link=link)
    row.refresh_from_db()
    assert row.reach_evidence == pytest.approx(1.4)


def test_many_items_triage_into_one_idea_at_once(cast):
    from northstar.feedback.models import EvidenceLink, FeedbackItem

    items = [f.make_item(f"Export invoices to CSV, please ({n})") for n in range(4)]
    linked = services.feedback_triage_many(actor=cast.pm, items=items[:2], initiative=cast.home_initiative)
    assert linked == 2
    assert services.feedback_triage_many(actor=cast.pm, items=items[:2], initiative=cast.home_initiative) == 0
    idea = services.idea_from_feedback_many(actor=cast.pm, items=items[2:], title="CSV export of invoices")
    assert set(EvidenceLink.objects.filter(initiative=idea).values_list("item_id", flat=True)) == {
        items[2].pk,
        items[3].pk,
    }
    assert "From 2 feedback items" in idea.description
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == {"processed"}
    with pytest.raises(PermissionDenied):
        services.feedback_triage_many(actor=cast.stakeholder, items=items, initiative=cast.home_initiative)


def test_a_themes_customers_are_only_those_with_feedback_in_it(cast):
    acme, globex, initech = (f.make_customer(n) for n in ("Acme", "Globex", "Initech"))
    exports, sso = f.make_theme("Exports"), f.make_theme("SSO")
    f.make_item("csv export", customer=acme, theme=exports)
    f.make_item("csv export again", customer=acme, theme=exports)
    f.make_item("export to excel", customer=globex, theme=exports)
    f.make_item("okta please", customer=initech, theme=sso)
    f.make_item("no account behind this one", theme=sso)
    counts = {t.name: t.customers for t in selectors.theme_list()}
    assert counts == {"Exports": 2, "SSO": 1}
    rows = {r.theme.name: r for r in selectors.theme_demand()}
    assert rows["Exports"].customers == 2 and rows["SSO"].customers == 1
    assert rows["Exports"].revenue == {"EUR": Decimal("20000")}  # each account once, however often
    assert [c.name for c, _ in selectors.theme_stats(sso).customers] == ["Initech"]


def test_demand_ranks_themes_by_the_revenue_asking_and_how_recently(cast):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    big, small = f.make_customer("Big", revenue="500000"), f.make_customer("Small", revenue="20000")
    many_small = [f.make_customer(f"Shop {n}", revenue="20000") for n in range(5)]
    loud = f.make_theme("Many small accounts, long ago")
    for shop, customer in enumerate(many_small):
        for n in range(4):
            when = now - timedelta(days=300 + n, minutes=shop)
            f.make_item("an old request", customer=customer, theme=loud, received_at=when)
    recent_big = f.make_theme("One big account, this week")
    f.make_item("we need this now", customer=big, theme=recent_big, received_at=now - timedelta(days=3))
    old_big = f.make_theme("The same big account, a year ago")
    f.make_item("we needed this", customer=big, theme=old_big, received_at=now - timedelta(days=365))
    quiet = f.make_theme("A small account, today")
    f.make_item("nice to have", customer=small, theme=quiet, received_at=now)
    ranked = [r.theme.name for r in selectors.theme_demand()]
    assert ranked[0] == "One big account, this week"
    assert ranked.index("One big account, this week") < ranked.index("The same big account, a year ago")
    scores = [r.score for r in selectors.theme_demand()]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4  # the list discriminates
    by_recent = selectors.theme_demand(sort="recent")
    assert by_recent[0].last_30_days == 1 and by_recent[-1].last_30_days == 0
    Theme.objects.filter(pk=loud.pk).update(size=20)
    assert selectors.theme_demand(sort="size")[0].theme.name == "Many small accounts, long ago"


def test_theme_demand_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    for n in range(6):
        theme = f.make_theme(f"Theme {n}")
        f.make_item(f"item {n}", customer=f.make_customer(), theme=theme)
    with django_assert_num_queries(3):
        assert len(selectors.theme_demand()) == 6
