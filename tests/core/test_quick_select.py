"""The list pages' quick drop-down draws exactly what Django's own <select> draws."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from northstar.core.forms import QuickSelect

CHOICES = [
    ("", "Anyone"),
    (1, 'Ada <Lovelace> & "Co"'),
    (2, "Grace's team"),
    ("Group", [(3, "Three"), (4, "Four")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", 4, "missing"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_owner", "class": "x", "disabled": True}])
def test_same_html_as_djangos_select(value, attrs):
    ours = QuickSelect(choices=CHOICES).render("owner", value, attrs=attrs)
    theirs = forms.Select(choices=CHOICES).render("owner", value, attrs=attrs)
    assert parse_html(ours) == parse_html(theirs)
    assert "<Lovelace>" not in ours  # labels are escaped


def test_the_initiative_filters_use_it(cast):
    from northstar.portfolio.forms import InitiativeFilterForm

    form = InitiativeFilterForm({"line": str(cast.home_line.pk)})
    html = str(form["line"])
    assert f'<option value="{cast.home_line.pk}" selected>Home line</option>' in html
    assert isinstance(form.fields["line"].widget, QuickSelect)
