"""CRM imports, all or nothing: for any mix of good and bad rows, either every deal lands or none does,
and the refusal names the first bad row."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from northstar.core.errors import ValidationFailed
from northstar.market.imports import deals_import
from northstar.market.models import Competitor, Deal, DealReason, Segment
from tests.market.factories import make_competitor, make_segment

GOOD = st.fixed_dictionaries(
    {
        "segment": st.sampled_from(["SMB", "smb", ""]),
        "amount": st.sampled_from(["0", "12.5", "1,200.00", "99999"]),
        "outcome": st.sampled_from(["won", "lost", "Won", "no decision", "open"]),
        "competitor": st.sampled_from(["Rival", ""]),
        "reasons": st.sampled_from(["", "price", "Price; missing SSO", "a|b"]),
        "closed": st.sampled_from(["2026-01-31", "2025-12-01 10:00"]),
    }
)
BAD = st.sampled_from(
    [
        ("amount", "ten"),
        ("amount", "-5"),
        ("outcome", "maybe"),
        ("closed", "01/02/2026"),  # January or February? refused without a chosen order
        ("segment", "Mars"),
        ("competitor", "Nobody"),
        ("deal", ""),
    ]
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(GOOD, st.none() | BAD), min_size=1, max_size=12))
def test_a_file_lands_whole_or_not_at_all(rows):
    Deal.objects.all().delete()  # examples share the test's transaction: start each from no deals
    if not Segment.objects.filter(name="SMB").exists():
        make_segment(name="SMB")
    if not Competitor.objects.filter(name="Rival").exists():
        make_competitor(name="Rival")
    lines = ["deal,account,segment,amount,outcome,competitor,reasons,closed"]
    first_bad = None
    for n, (good, bad) in enumerate(rows, start=2):
        row = {"deal": f"H{n}", "account": f"Acct {n}", **good}
        if bad is not None:
            row[bad[0]] = bad[1]
            first_bad = first_bad or n
        lines.append(",".join(f'"{row[c]}"' for c in lines[0].split(",")))
    stream = io.StringIO("\n".join(lines) + "\n")
    if first_bad is None:
        result = deals_import(actor=None, stream=stream, filename="f.csv")
        assert result.deals == Deal.objects.count() == len(rows)
    else:
        with pytest.raises(ValidationFailed) as refused:
            deals_import(actor=None, stream=stream, filename="f.csv")
        assert refused.value.detail[0]["row"] == first_bad
        assert f"Row {first_bad}," in refused.value.message
        assert not Deal.objects.exists() and not DealReason.objects.exists()
