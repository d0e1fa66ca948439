"""Numbers as people read them, one rule everywhere: money with its currency and thousands separators,
counts without fractions, percentages rounded sensibly; in history, the audit log, home and budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from northstar.core import audit_display
from northstar.core.models import AuditEntry
from northstar.core.numbers import count_text, money_text, number_text, percent_text
from northstar.planning.models import BudgetEnvelope
from tests.strategy.factories import make_period


def test_money_has_its_currency_and_separators_and_cents_only_when_there_are_some():
    assert money_text(Decimal("120000.00")) == "€120,000"
    assert money_text("1234.5", "usd") == "$1,234.50"
    assert money_text(99, "CHF") == "99 CHF"
    assert money_text(Decimal("-2500"), "GBP") == "-£2,500"
    assert money_text(None) == "—"


def test_counts_are_whole_and_other_numbers_lose_their_trailing_zeros():
    assert count_text(12.0) == "12"
    assert count_text("12000") == "12,000"
    assert number_text("12.0") == "12"
    assert number_text(0.30000000000000004) == "0.3"
    assert number_text(Decimal("1234.50")) == "1,234.5"


def test_percentages_are_whole_unless_a_whole_one_would_mislead():
    assert percent_text(0.623) == "62%"
    assert percent_text(0.0123) == "1.2%"
    assert percent_text(0.999) == "99.9%"  # not "100%" of something unfinished
    assert percent_text(0.0001) == "<0.1%"  # not "0%" of something
    assert percent_text(-0.12) == "-12%"
    assert percent_text(None) == "—"


def test_the_filters_are_the_same_rule_in_templates():
    shown = Template(
        "{% load northstar %}{{ a|money:'EUR' }} {{ n|count }} {{ x|number }} {{ p|percent }}"
    ).render(Context({"a": Decimal("120000.00"), "n": 12.0, "x": "2.50", "p": 0.4567}))
    assert shown == "€120,000 12 2.5 46%"


@pytest.mark.django_db
def test_a_budget_change_in_history_reads_as_money_and_a_count_as_a_count(cast, login):
    period = make_period(name="2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))
    envelope = BudgetEnvelope.objects.create(
        line=cast.home_line, period=period, amount=Decimal("120000.00"), currency="EUR"
    )
    budget = AuditEntry.objects.create(
        action=AuditEntry.Action.UPDATE,
        record_type="planning.budgetenvelope",
        record_id=str(envelope.pk),
        record_repr=str(envelope),
        changes={"amount": ["100000.00", "120000.00"]},
    )
    usd = AuditEntry.objects.create(
        action=AuditEntry.Action.UPDATE,
        record_type="planning.budgetenvelope",
        record_id=str(envelope.pk),
        record_repr=str(envelope),
        changes={"amount": ["1000.00", "1500.50"], "currency": ["EUR", "USD"]},
    )
    people = AuditEntry.objects.create(
        action=AuditEntry.Action.UPDATE,
        record_type="planning.assumption",
        record_id="1",
        record_repr="Assumption",
        changes={"people": ["12.0", "2.5"], "share": ["30.00", "40.00"]},
    )
    shown = {e.pk: e.readable_changes for e in audit_display.readable([budget, usd, people])}
    assert [(c.old, c.new) for c in shown[budget.pk]] == [("€100,000", "€120,000")]
    assert ("€1,000", "$1,500.50") in [(c.old, c.new) for c in shown[usd.pk]]
    assert [(c.old, c.new) for c in shown[people.pk]] == [("12", "2.5"), ("30", "40")]

    page = login(cast.leader).get(reverse("core:audit")).content.decode()
    assert "€120,000" in page and "120000.00" not in page


@pytest.mark.django_db
def test_budgets_read_as_money(cast, login):
    period = make_period(name="2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))
    BudgetEnvelope.objects.create(line=cast.home_line, period=period, amount=Decimal("120000.00"))
    page = login(cast.stakeholder).get(reverse("planning:budgets")).content.decode()
    assert "€120,000" in page
    assert "120000 EUR" not in page


def test_the_finance_pages_money_is_the_same_rule_in_whole_units():
    shown = Template("{% load finance_tags %}{{ a|money }} {{ a|money:'USD' }} {{ none|money }}").render(
        Context({"a": Decimal("1234567.80"), "none": None})
    )
    assert shown == "€1,234,568 $1,234,568 —"
