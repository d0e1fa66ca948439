"""Actuals import: a good file lands converted into the company currency; a bad one is refused with
the row named and nothing stored; the CLI does the same."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.finance.imports import actuals_import
from northstar.finance.models import Actual, ActualBatch, CostCentre
from tests.finance.factories import make_rate

HEADER = "period,cost_centre,category,kind,amount,currency,initiative,reference,description\n"


def _import(cast, body: str, *, actor=None, name="ledger.csv"):
    return actuals_import(
        actor=actor or cast.leader, stream=io.BytesIO((HEADER + body).encode()), file_name=name
    )


@pytest.fixture
def rates(db):
    make_rate("USD", "0.9", date(2020, 1, 1))
    make_rate("USD", "0.8", date(2025, 7, 1))


def test_a_good_file_lands_whole_converted_at_the_months_rate(cast, rates):
    CostCentre.objects.create(code="CC-100", line=cast.away_line)
    batch = _import(
        cast,
        "2025-06,Home line,tools,opex,1000,USD,,INV-1,Figma\n"
        "2025-07,Home line,tools,opex,1000,USD,,INV-2,Figma\n"
        f'2025-07,CC-100,services,capex,"1,234.50",EUR,{cast.away_initiative.pk},J-9,Agency\n',
    )
    assert batch.rows == 3 and batch.first_month == date(2025, 6, 1) and batch.last_month == date(2025, 7, 1)
    june, july, agency = Actual.objects.order_by("id")
    assert june.amount == Decimal("1000.00") and june.amount_company == Decimal("900.00")
    assert july.amount_company == Decimal("800.00")  # the July rate applies from July on
    assert agency.line == cast.away_line and agency.initiative == cast.away_initiative
    assert agency.kind == "capex" and agency.amount_company == Decimal("1234.50")
    assert batch.total == Decimal("2934.50")
    assert AuditEntry.objects.filter(record_type="finance.actualbatch", record_id=str(batch.pk)).exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-13,Home line,tools,opex,10,EUR,,,", "Row 3: period '2025-13' is not a month"),
        ("03/2025,Home line,tools,opex,10,EUR,,,", "Row 3: period '03/2025' is not a month"),
        ("2099-01,Home line,tools,opex,10,EUR,,,", "Row 3: period '2099-01' is in the future"),
        ("2025-03,Home line,tools,opex,10,XYZ,,,", "Row 3: currency 'XYZ' is unknown"),
        (
            "2019-03,Home line,tools,opex,10,USD,,,",
            "Row 3: currency USD has no exchange rate valid in 2019-03",
        ),
        ("2025-03,Nowhere,tools,opex,10,EUR,,,", "Row 3: cost centre 'Nowhere' is neither"),
        ("2025-03,Home line,snacks,opex,10,EUR,,,", "Row 3: category 'snacks' is not one of"),
        ("2025-03,Home line,tools,maybe,10,EUR,,,", "Row 3: kind 'maybe' is neither capex nor opex"),
        ("2025-03,Home line,tools,opex,ten,EUR,,,", "Row 3: amount 'ten' is not a number"),
        ("2025-03,Home line,tools,opex,10,EUR,999999,,", "Row 3: initiative '999999' does not exist"),
        ("2025-01,Home line,tools,opex,10,EUR,,,", "Row 3: repeats row 2 exactly"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_stored(cast, rates, row, reason):
    good = "2025-01,Home line,tools,opex,10,EUR,,,\n"
    with pytest.raises(ValidationFailed) as refused:
        _import(cast, good + row + "\n")
    assert refused.value.message.startswith(reason), refused.value.message
    assert "Nothing was imported" in refused.value.message
    assert not Actual.objects.exists() and not ActualBatch.objects.exists()


def test_a_row_already_imported_is_refused_naming_the_earlier_file(cast, rates):
    _import(cast, "2025-01,Home line,tools,opex,10,EUR,,INV-1,\n", name="january.csv")
    with pytest.raises(ValidationFailed, match=r"Row 3: was already imported \(from january.csv\)"):
        _import(
            cast, "2025-02,Home line,tools,opex,10,EUR,,INV-2,\n2025-01,Home line,tools,opex,10,EUR,,INV-1,\n"
        )
    assert Actual.objects.count() == 1


def test_every_bad_row_is_listed_up_to_twenty(cast, rates):
    body = "".join(f"2025-{m:02d},Home line,tools,opex,x{m},EUR,,,\n" for m in range(1, 13))
    with pytest.raises(ValidationFailed) as refused:
        _import(cast, body)
    assert len(refused.value.detail) == 12 and refused.value.detail[-1].startswith("Row 13:")


def test_files_without_the_needed_columns_or_rows_or_in_another_encoding_are_refused(cast):
    with pytest.raises(ValidationFailed, match="no period, amount column"):
        actuals_import(
            actor=cast.leader, stream=io.BytesIO(b"cost_centre,category\nx,y\n"), file_name="a.csv"
        )
    with pytest.raises(ValidationFailed, match="header but no rows"):
        actuals_import(actor=cast.leader, stream=io.BytesIO(HEADER.encode()), file_name="a.csv")
    with pytest.raises(ValidationFailed, match="not a CSV text file"):
        actuals_import(actor=cast.leader, stream=io.BytesIO(HEADER.encode() + b"\x00\x01"), file_name="a.csv")


def test_only_leaders_import_actuals(cast):
    for user in (cast.pm, cast.stakeholder):
        with pytest.raises(PermissionDenied):
            _import(cast, "2025-01,Home line,tools,opex,10,EUR,,,\n", actor=user)


def test_cli_imports_actuals_and_names_the_bad_row(cast, rates, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "2025-01,Home line,people,opex,1500,EUR,,,\n")
    out = io.StringIO()
    call_command("import", "actuals", str(good), stdout=out)
    assert "Imported 1 actuals from 2025-01 to 2025-01: 1,500.00 EUR." in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "2025-02,Home line,people,opex,1500,EUR,,,\n2025-02,Home line,people,opex,1500,EUR,,,\n"
    )
    with pytest.raises(CommandError, match="Row 3: repeats row 2"):
        call_command("import", "actuals", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import", "actuals", str(tmp_path / "missing.csv"))
    assert Actual.objects.count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_exports_in_any_common_encoding_and_delimiter_import(cast, encoding, delimiter):
    rows = [
        HEADER.strip().split(","),
        ["2025-06", "Home line", "tools", "opex", "1000", "EUR", "", "F-1", "Café"],
    ]
    rows.append(["15/07/2025", "Home line", "services", "opex", "250.5", "EUR", "", "F-2", "Société"])
    data = "".join(delimiter.join(r) + "\r\n" for r in rows).encode(encoding)
    batch = actuals_import(actor=cast.leader, stream=io.BytesIO(data), file_name="ledger.csv")
    assert batch.rows == 2 and batch.total == Decimal("1250.50")
    assert set(Actual.objects.values_list("month", "description")) == {
        (date(2025, 6, 1), "Café"), (date(2025, 7, 1), "Société")
    }  # fmt: skip


def test_ambiguous_dates_are_refused_naming_the_row_until_the_order_is_chosen(cast):
    body = "2025-03-01,Home line,tools,opex,10,EUR,,,\n03/02/2025,Home line,tools,opex,20,EUR,,,\n"
    with pytest.raises(ValidationFailed) as refused:
        _import(cast, body)
    assert refused.value.message.startswith("Row 3: period “03/02/2025” could be 3 February 2025 or")
    assert Actual.objects.count() == 0
    batch = actuals_import(
        actor=cast.leader, stream=io.BytesIO((HEADER + body).encode()), file_name="a.csv", order="mdy"
    )
    assert (batch.first_month, batch.last_month) == (date(2025, 3, 1), date(2025, 3, 1))
