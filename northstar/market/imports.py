"""Deals from a CRM export (CSV): Northstar's own columns, or HubSpot- and Salesforce-shaped exports.

Strict and all or nothing: every row is checked first (dates, amounts, outcomes, known segments and
competitors, deal ids not seen before); any failing row refuses the whole file, naming the row (as a
spreadsheet numbers it: the header is row 1), the column and what is wrong. Only a clean file is written,
in one transaction, in batches.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.csv_read import csv_open, date_order, parse_date
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.feedback.models import Customer
from northstar.market.models import Competitor, Deal, DealBatch, DealReason, Outcome, Segment
from northstar.market.services import reasons_parse
from northstar.org import access

MAX_ERRORS = 20
BATCH = 2000


@dataclass(frozen=True)
class Preset:
    """Which column holds each field, and how the export spells outcomes."""

    key: str
    label: str
    columns: dict[str, str]  # field -> header
    outcomes: dict[str, str]  # lower-case stage text -> Outcome


_PLAIN_OUTCOMES: dict[str, str] = {
    "won": Outcome.WON,
    "lost": Outcome.LOST,
    "no decision": Outcome.NO_DECISION,
    "no_decision": Outcome.NO_DECISION,
    "open": Outcome.OPEN,
}

PRESETS = {
    p.key: p
    for p in (
        Preset(
            "northstar",
            "Northstar columns",
            {
                "external_id": "deal",
                "name": "name",
                "account": "account",
                "segment": "segment",
                "amount": "amount",
                "currency": "currency",
                "outcome": "outcome",
                "competitor": "competitor",
                "reasons": "reasons",
                "closed_on": "closed",
            },
            _PLAIN_OUTCOMES,
        ),
        Preset(
            "hubspot",
            "HubSpot deals export",
            {
                "external_id": "Record ID",
                "name": "Deal Name",
                "account": "Associated Company",
                "segment": "Segment",
                "amount": "Amount",
                "currency": "Currency",
                "outcome": "Deal Stage",
                "competitor": "Competitor",
                "reasons": "Closed Lost Reason",
                "closed_on": "Close Date",
            },
            {
                "closed won": Outcome.WON,
                "closedwon": Outcome.WON,
                "closed lost": Outcome.LOST,
                "closedlost": Outcome.LOST,
                **{k: v for k, v in _PLAIN_OUTCOMES.items() if k not in ("won", "lost")},
            },
        ),
        Preset(
            "salesforce",
            "Salesforce opportunities report",
            {
                "external_id": "Opportunity ID",
                "name": "Opportunity Name",
                "account": "Account Name",
                "segment": "Segment",
                "amount": "Amount",
                "currency": "Amount Currency",
                "outcome": "Stage",
                "competitor": "Primary Competitor",
                "reasons": "Loss Reason",
                "closed_on": "Close Date",
            },
            {
                "closed won": Outcome.WON,
                "closed lost": Outcome.LOST,
                "closed - no decision": Outcome.NO_DECISION,
                **{k: v for k, v in _PLAIN_OUTCOMES.items() if k not in ("won", "lost")},
            },
        ),
    )
}

#: Columns a file must have; the rest may be missing (an empty value).
REQUIRED = ("external_id", "account", "amount", "outcome", "closed_on")


@dataclass(frozen=True)
class ImportResult:
    batch: DealBatch
    deals: int
    won: int
    lost: int


@dataclass(frozen=True)
class ParsedDeal:
    external_id: str
    name: str
    account: str
    segment_id: int | None
    amount: Decimal
    currency: str
    outcome: str
    competitor_id: int | None
    closed_on: date
    reasons: list[str]


def _date(text: str, order: str = "") -> date:
    """The close date: the shared rule of `core.csv_read` (ISO, month names, 31/01/2026; 01/02/2026
    only with the order chosen)."""
    return parse_date(text, order)


def _amount(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount like 12000.50") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"“{text}” is not an amount of 0 or more")
    if abs(value) >= Decimal("1e14"):
        raise ValueError(f"“{text}” is too large an amount")
    return value.quantize(Decimal("0.01"))


def parse(
    rows: Iterable[dict[str, str]], *, preset: Preset, header: list[str], order: str = ""
) -> tuple[list[ParsedDeal], list[dict]]:
    """Check every row; return the parsed deals and the problems (row, column, message), up to MAX_ERRORS."""
    missing = [preset.columns[f] for f in REQUIRED if preset.columns[f] not in header]
    if missing:
        raise ValidationFailed(
            f"The file has no column {', '.join(repr(m) for m in missing)} (preset “{preset.label}”). "
            f"Its columns are: {', '.join(header) or 'none'}.",
            detail=[{"row": 1, "column": m, "message": "missing column"} for m in missing],
        )
    # Archived ones too: a CRM export holds past deals, and a deal keeps the segment it was sold in.
    segments = {name.lower(): pk for pk, name in Segment.all_objects.values_list("pk", "name")}
    competitors = {name.lower(): pk for pk, name in Competitor.all_objects.values_list("pk", "name")}
    cols = preset.columns
    errors: list[dict] = []
    parsed: list[ParsedDeal] = []
    seen: dict[str, int] = {}

    def problem(row: int, field: str, message: str) -> None:
        if len(errors) < MAX_ERRORS:
            errors.append({"row": row, "column": cols[field], "message": message})

    for number, raw in enumerate(rows, start=2):
        if None in raw:
            problem(number, "external_id", "more values than the header has columns")
            continue
        value = {f: (raw.get(h) or "").strip() for f, h in cols.items()}
        before = len(errors)
        if not value["external_id"]:
            problem(number, "external_id", "a deal needs its id")
        elif value["external_id"] in seen:
            problem(
                number,
                "external_id",
                f"deal {value['external_id']} is also on row {seen[value['external_id']]}",
            )
        else:
            seen[value["external_id"]] = number
        if not value["account"]:
            problem(number, "account", "a deal needs its account")
        outcome = preset.outcomes.get(value["outcome"].lower())
        if outcome is None:
            problem(
                number,
                "outcome",
                f"unknown outcome “{value['outcome']}” ({', '.join(sorted(preset.outcomes))})",
            )
        closed_on = amount = None
        try:
            closed_on = _date(value["closed_on"], order)
        except ValueError as exc:
            problem(number, "closed_on", str(exc))
        try:
            amount = _amount(value["amount"] or "0")
        except ValueError as exc:
            problem(number, "amount", str(exc))
        segment_id = segments.get(value["segment"].lower()) if value["segment"] else None
        if value["segment"] and segment_id is None:
            problem(number, "segment", f"unknown segment “{value['segment']}”: add it under Market first")
        competitor_id = competitors.get(value["competitor"].lower()) if value["competitor"] else None
        if value["competitor"] and competitor_id is None:
            problem(
                number, "competitor", f"unknown competitor “{value['competitor']}”: add it under Market first"
            )
        currency = (value["currency"] or "EUR").upper()
        if len(currency) != 3 or not currency.isalpha():
            problem(number, "currency", f"“{value['currency']}” is not a three-letter currency code")
        if len(value["external_id"]) > 120 or len(value["account"]) > 200 or len(value["name"]) > 200:
            problem(number, "external_id", "a value is too long (ids up to 120 characters, names up to 200)")
        if len(errors) > before or (errors and len(errors) >= MAX_ERRORS):
            continue
        assert outcome is not None and closed_on is not None and amount is not None
        parsed.append(
            ParsedDeal(
                external_id=value["external_id"],
                name=value["name"] or f"{value['account']} deal",
                account=value["account"],
                segment_id=segment_id,
                amount=amount,
                currency=currency,
                outcome=outcome,
                competitor_id=competitor_id,
                closed_on=closed_on,
                reasons=reasons_parse(value["reasons"]),
            )
        )
    return parsed, errors


def _already_recorded(ids: list[str]) -> list[str]:
    found: list[str] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found += Deal.objects.filter(external_id__in=chunk).values_list("external_id", flat=True)
    return found


def read_csv(stream: IO[bytes] | IO[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file (any encoding and delimiter `core.csv_read` reads)."""
    with csv_open(stream) as reader:
        try:
            header = [h.strip() for h in reader.read_header()]
            reader.headers = header
            rows = list(reader.dicts())
        except (csv.Error, UnicodeError) as exc:
            raise ValidationFailed(f"The file cannot be read. {reader.reading_error(exc)}.") from None
    return header, rows


def _write(parsed: list[ParsedDeal], *, batch: DealBatch, customers: dict[str, int]) -> None:
    """Write the checked deals and their reasons: COPY on PostgreSQL, batched parameterised INSERTs elsewhere.

    Every value was validated in `parse`; building 100,000 model instances only to have the ORM take
    them apart again cost most of the import's time. Values go through the backend's own adapters, so
    the rows are stored exactly as the ORM would store them, on SQLite and PostgreSQL alike."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    deal_table, reason_table = (
        connection.ops.quote_name(Deal._meta.db_table),
        connection.ops.quote_name(DealReason._meta.db_table),
    )
    columns = (
        "external_id", "name", "account", "customer_id", "segment_id", "amount", "currency", "outcome",
        "competitor_id", "closed_on", "batch_id", "created_at",
    )  # fmt: skip
    # Table and column names come from the models, never from input; every value is a parameter.
    insert_deal = (
        f"INSERT INTO {deal_table} ({', '.join(ops.quote_name(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    reason_columns = f"{ops.quote_name('deal_id')}, {ops.quote_name('reason')}"
    insert_reason = f"INSERT INTO {reason_table} ({reason_columns}) VALUES (%s, %s)"  # noqa: S608
    deal_rows = (
        (
            d.external_id, d.name, d.account, customers.get(d.account.lower()), d.segment_id,
            ops.adapt_decimalfield_value(d.amount, 16, 2), d.currency, d.outcome, d.competitor_id,
            ops.adapt_datefield_value(d.closed_on), batch.pk, now,
        )
        for d in parsed
    )  # fmt: skip
    with connection.cursor() as cursor:
        _insert(cursor, deal_table, columns, insert_deal, deal_rows)
        ids = dict(Deal.objects.filter(batch=batch).values_list("external_id", "id"))
        reasons = ((ids[d.external_id], r) for d in parsed for r in d.reasons)
        _insert(cursor, reason_table, ("deal_id", "reason"), insert_reason, reasons)


def _insert(cursor: Any, table: str, columns: tuple[str, ...], statement: str, rows: Iterable[tuple]) -> None:
    """PostgreSQL takes the rows through COPY, its own bulk load; other databases in batches of INSERTs."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            cursor.executemany(statement, batch)
            batch = []
    if batch:
        cursor.executemany(statement, batch)


@transaction.atomic
def deals_import(
    *,
    actor: User | None,
    stream: IO[bytes] | IO[str],
    filename: str,
    preset: str = "northstar",
    order: str = "",
) -> ImportResult:
    """Import a CRM export of deals, all or nothing. `actor` None is the CLI, importing as the system."""
    if actor is not None:
        access.require_write(actor)
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise ValidationFailed(f"Unknown preset “{preset}”: {', '.join(PRESETS)}.")
    header, rows = read_csv(stream)
    if not rows:
        raise ValidationFailed("The file has no deals: a header row, then one deal per row.")
    parsed, errors = parse(rows, preset=chosen, header=header, order=date_order(order))
    if not errors:
        clash = set(_already_recorded([d.external_id for d in parsed]))
        for number, deal in enumerate(parsed, start=2):
            if deal.external_id in clash and len(errors) < MAX_ERRORS:
                errors.append(
                    {"row": number, "column": chosen.columns["external_id"],
                     "message": f"deal {deal.external_id} is already recorded"}
                )  # fmt: skip
    if errors:
        first = errors[0]
        more = (
            f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
            if len(errors) > 1
            else ""
        )
        raise ValidationFailed(
            f"Nothing was imported. Row {first['row']}, column “{first['column']}”: "
            f"{first['message']}{more}.",
            detail=errors,
        )
    customers = {name.lower(): pk for pk, name in Customer.objects.values_list("pk", "name")}
    batch = DealBatch.objects.create(
        filename=filename[:255], preset=chosen.key, rows=len(parsed), created_by=actor
    )
    _write(parsed, batch=batch, customers=customers)
    audit.audit_create(actor=actor, instance=batch, after=audit.snapshot(batch))
    won = sum(1 for d in parsed if d.outcome == Outcome.WON)
    lost = sum(1 for d in parsed if d.outcome == Outcome.LOST)
    return ImportResult(batch=batch, deals=len(parsed), won=won, lost=lost)
