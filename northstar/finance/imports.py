"""Actuals from the finance system as CSV: checked row by row, then stored whole or not at all.

Columns (header names are case-insensitive; the first of each alias list present is used):

    period          YYYY-MM (or a date in that month)            required
    cost_centre     a cost centre code or a product line's name   required (alias: line)
    category        people, tools, services or other              required
    kind            capex or opex                                 optional, opex when empty
    amount          e.g. 1234.50 or 1,234.50 (credits negative)   required
    currency        ISO code; the company currency when empty     optional
    initiative      an initiative's id or exact title             optional
    reference       invoice or journal id                         optional
    description     free text                                     optional

A row is refused with its line number when its month is not a month or lies in the future, its cost
centre or initiative is unknown, its currency has no rate for that month, its amount is not a number,
or it repeats another row of the file or a row already imported.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.csv_read import AmbiguousDate, CsvFile, csv_open, date_order, parse_date
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.finance.models import Actual, ActualBatch, Category, CostCentre, SpendKind
from northstar.finance.money import RateTable, cents, company_currency
from northstar.org import access
from northstar.org.models import ProductLine
from northstar.portfolio.models import Initiative

COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("period", "month", "date"),
    "cost_centre": ("cost_centre", "cost centre", "cost_center", "line", "product line"),
    "category": ("category",),
    "kind": ("kind", "capex/opex", "capex_opex", "type"),
    "amount": ("amount", "value"),
    "currency": ("currency",),
    "initiative": ("initiative", "initiative_id"),
    "reference": ("reference", "ref", "invoice"),
    "description": ("description", "memo"),
}
REQUIRED = ("period", "cost_centre", "category", "amount")
#: Refuse files bigger than this many rows: actuals are monthly ledger lines, not events.
MAX_ROWS = 200_000
#: How many refused rows one answer lists (the message names the first).
MAX_ERRORS = 20
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
LIMIT = Decimal("1e13")


@dataclass
class Row:
    line_no: int
    month: date
    line_id: int | None
    cost_centre: str
    category: str
    kind: str
    amount: Decimal
    currency: str
    amount_company: Decimal
    initiative_id: int | None
    reference: str
    description: str

    @property
    def fingerprint(self) -> str:
        key = "|".join(
            str(v)
            for v in (
                self.month.isoformat(),
                self.cost_centre.lower(),
                self.category,
                self.kind,
                self.amount,
                self.currency,
                self.initiative_id or "",
                self.reference,
                self.description,
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()


def parse_month(raw: str, order: str = "") -> date | None:
    """The month a period cell names (YYYY-MM, or any date the shared rule reads); None if none.

    Raises AmbiguousDate for a date like 01/02/2024 when no order was chosen.
    """
    match = _MONTH.match(raw.strip())
    if not match:
        try:
            return parse_date(raw, order).replace(day=1)
        except AmbiguousDate:
            raise
        except ValueError:
            return None
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        date(year, month, day)
    except ValueError:
        return None
    return date(year, month, 1)


def parse_amount(raw: str) -> Decimal | None:
    text = raw.strip().replace(" ", "")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= LIMIT:
        return None
    return cents(value)


class _Lookups:
    """Cost centres, lines, initiatives and rates, loaded once per file."""

    def __init__(self) -> None:
        self.order = ""  # how to read dates like 01/02/2024 (see core.csv_read)
        self.rates = RateTable()
        self.lines = {name.lower(): pk for pk, name in ProductLine.objects.values_list("id", "name")}
        self.centres = {
            code.lower(): line_id for code, line_id in CostCentre.objects.values_list("code", "line_id")
        }
        self._initiatives: dict[str, int | None] = {}

    def line(self, cost_centre: str) -> tuple[bool, int | None]:
        key = cost_centre.lower()
        if key in self.centres:
            return True, self.centres[key]
        if key in self.lines:
            return True, self.lines[key]
        return False, None

    def initiative(self, raw: str) -> int | None:
        if raw not in self._initiatives:
            found = None
            if raw.isdigit():
                found = Initiative.objects.filter(pk=int(raw)).values_list("id", flat=True).first()
            if found is None:
                found = Initiative.objects.filter(title=raw).values_list("id", flat=True).first()
            self._initiatives[raw] = found
        return self._initiatives[raw]


def _columns(header: Iterable[str]) -> dict[str, str]:
    present = {h.strip().lower(): h for h in header if h is not None}
    chosen: dict[str, str] = {}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in present:
                chosen[field] = present[alias]
                break
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        raise ValidationFailed(
            f"The file has no {', '.join(missing)} column: the header needs period, cost_centre (or line), "
            "category and amount. Nothing was imported."
        )
    return chosen


def _check(raw: dict[str, str], columns: dict[str, str], line_no: int, look: _Lookups) -> Row | str:
    """One row parsed, or the reason it is refused."""

    def get(field: str) -> str:
        column = columns.get(field)
        return (raw.get(column) or "").strip() if column else ""

    period = get("period")
    try:
        month = parse_month(period, look.order)
    except AmbiguousDate as exc:
        return f"period {exc}"
    if month is None:
        return f"period {period!r} is not a month (use YYYY-MM)"
    today = timezone.localdate()
    if month > date(today.year, today.month, 1):
        return f"period {period!r} is in the future: actuals are money already spent"
    centre = get("cost_centre")
    if not centre:
        return "the cost centre is empty"
    known, line_id = look.line(centre)
    if not known:
        return f"cost centre {centre!r} is neither a cost centre code nor a product line"
    category = get("category").lower()
    if category not in Category.values:
        return f"category {get('category')!r} is not one of {', '.join(Category.values)}"
    kind = get("kind").lower() or SpendKind.OPEX
    if kind not in SpendKind.values:
        return f"kind {get('kind')!r} is neither capex nor opex"
    amount = parse_amount(get("amount"))
    if amount is None:
        return f"amount {get('amount')!r} is not a number (use 1234.50)"
    currency = (get("currency") or company_currency()).upper()
    if not look.rates.knows(currency):
        return f"currency {currency!r} is unknown: add its exchange rate first"
    converted = look.rates.convert(amount, currency, month)
    if converted is None:
        return f"currency {currency} has no exchange rate valid in {month:%Y-%m}"
    initiative_raw = get("initiative")
    initiative_id = look.initiative(initiative_raw) if initiative_raw else None
    if initiative_raw and initiative_id is None:
        return f"initiative {initiative_raw!r} does not exist"
    return Row(
        line_no=line_no,
        month=month,
        line_id=line_id,
        cost_centre=centre[:40],
        category=category,
        kind=kind,
        amount=amount,
        currency=currency,
        amount_company=converted,
        initiative_id=initiative_id,
        reference=get("reference")[:80],
        description=get("description")[:200],
    )


def read_rows(reader: CsvFile, order: str = "") -> list[Row]:
    """Every row checked; refuses the file naming the first bad row (and up to 20 in `detail`)."""
    columns = _columns(reader.read_header())
    look = _Lookups()
    look.order = order
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for raw in reader.dicts():
        line_no = reader.line_num
        if len(rows) + len(errors) >= MAX_ROWS:
            raise ValidationFailed(
                f"The file has more than {MAX_ROWS:,} rows; split it. Nothing was imported."
            )
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a blank line
        checked = _check(raw, columns, line_no, look)
        if isinstance(checked, str):
            errors.append(f"Row {line_no}: {checked}.")
        elif (first := seen.get(checked.fingerprint)) is not None:
            errors.append(f"Row {line_no}: repeats row {first} exactly.")
        else:
            seen[checked.fingerprint] = line_no
            rows.append(checked)
        if len(errors) >= MAX_ERRORS:
            break
    if not errors and rows:
        stored = dict(
            Actual.objects.filter(fingerprint__in=list(seen)).values_list("fingerprint", "batch__file_name")
        )
        for row in rows:
            if row.fingerprint in stored:
                errors.append(f"Row {row.line_no}: was already imported (from {stored[row.fingerprint]}).")
                if len(errors) >= MAX_ERRORS:
                    break
    if errors:
        raise ValidationFailed(f"{errors[0]} Nothing was imported.", detail=errors)
    if not rows:
        raise ValidationFailed("The file has a header but no rows. Nothing was imported.")
    return rows


def actuals_import(
    *, actor: User | None, stream: IO[bytes] | IO[str], file_name: str, order: str = ""
) -> ActualBatch:
    """Import a finance system's actuals; all rows land or none do. `actor` None is the CLI.
    `order` reads dates like 01/02/2024 ("dmy" or "mdy"; refused when not given)."""
    if actor is not None:
        access.require_leading(actor, "actual spend")
    order = date_order(order)
    with csv_open(stream) as reader:
        try:
            rows = read_rows(reader, order)
        except (csv.Error, UnicodeError) as exc:
            raise ValidationFailed(f"{reader.reading_error(exc)}. Nothing was imported.") from None
    with transaction.atomic():
        batch = ActualBatch.objects.create(
            source=ActualBatch.Source.IMPORT,
            file_name=file_name[:255],
            rows=len(rows),
            total=sum((r.amount_company for r in rows), Decimal("0")),
            currency=company_currency(),
            first_month=min(r.month for r in rows),
            last_month=max(r.month for r in rows),
            actor=actor,
        )
        Actual.objects.bulk_create(
            [
                Actual(
                    month=r.month,
                    line_id=r.line_id,
                    cost_centre=r.cost_centre,
                    initiative_id=r.initiative_id,
                    category=r.category,
                    kind=r.kind,
                    amount=r.amount,
                    currency=r.currency,
                    amount_company=r.amount_company,
                    batch=batch,
                    reference=r.reference,
                    description=r.description,
                    fingerprint=r.fingerprint,
                )
                for r in rows
            ],
            batch_size=1000,
        )
        audit.audit_create(actor=actor, instance=batch, after=audit.snapshot(batch))
    return batch
