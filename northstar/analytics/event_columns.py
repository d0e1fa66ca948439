"""A site's events over a period as engine columns: what every analytics report reads first.

One scan through `storage` (the module that knows how the event store is read), then codes per
person, page and target that the friction and funnel engines work on, with the books to read them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from northstar.analytics import storage
from northstar.analytics.models import Site
from northstar.engines import friction as engine

#: At most this many events are scanned for one report (newest kept); beyond it, the page says so.
SCAN_LIMIT = 2_000_000


@dataclass
class Columns:
    """A site's events over a period as engine columns, with the code books to read them back."""

    events: engine.Events
    people: list[str]  # user code -> person (identified user or visitor)
    pages: list[str]  # page code -> path
    targets: list[str]  # target code -> selector (clicks) or message (errors)
    names: np.ndarray  # custom event name per event ("" otherwise)
    accounts: list[str]  # user code -> account ("" when unknown)
    vitals: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # VITALS code, or -1
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))  # a vital's measurement
    truncated: bool = False
    origin: float = 0.0
    prop: np.ndarray | None = None  # the named property's text per event (None where absent)

    def __len__(self) -> int:
        return len(self.events)


VITAL_CODES = {name: code for code, name in enumerate(engine.VITALS)}


def _vital_codes(kinds: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Each event's index into engine.VITALS, -1 for events that are not a known vital."""
    codes = np.full(kinds.size, -1, np.int64)
    for i in np.flatnonzero(kinds == engine.VITAL).tolist():
        codes[i] = VITAL_CODES.get(names[i], -1)
    return codes


def encode(values: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """Dense codes in order of first appearance, and the code book (a dict is faster than sorting)."""
    book: dict[str, int] = {}
    codes = np.fromiter((book.setdefault(v, len(book)) for v in values), dtype=np.int32, count=len(values))
    return codes, list(book)


#: The snippet's form events: the first focus in a form on a page view, and the form's submit.
FORM_START, FORM_SUBMIT = "$form_start", "$form_submit"
FORM_EVENTS = (FORM_START, FORM_SUBMIT)


def columns(site: Site, *, since: datetime, until: datetime, prop: str | None = None) -> Columns:
    """Load a period of a site's events (up to SCAN_LIMIT, the newest) into engine columns, with one
    property's text per event when `prop` is named (`Columns.prop`)."""
    rows = storage.scan(site_id=site.pk, since=since, until=until, limit=SCAN_LIMIT, prop=prop)
    truncated = len(rows) >= SCAN_LIMIT
    prop_values: tuple = ()
    if prop and rows:
        *rows_cols, prop_values = zip(*rows, strict=True)
        rows = list(zip(*rows_cols, strict=True))
    if not rows:
        return Columns(
            events=engine.Events.of(user=[], ts=[], kind=[]),
            people=[],
            pages=[],
            targets=[],
            names=np.zeros(0, dtype=object),
            accounts=[],
        )
    ts, kind, person, account, path, name, selector, x, y, dead, value = zip(*rows, strict=True)
    user_codes, people = encode(person)
    page_codes, pages = encode(path)
    kinds = np.asarray(kind, dtype=np.int8)
    target_text = tuple(
        s
        if k == engine.CLICK or (k == engine.CUSTOM and n in FORM_EVENTS)  # the clicked element or form
        else (n if k == engine.ERROR else "")
        for k, s, n in zip(kind, selector, name, strict=True)
    )
    target_codes, targets = encode(target_text)
    if "" in targets:
        target_codes[target_codes == targets.index("")] = -1
    account_of = [""] * len(people)
    for code, acct in zip(user_codes.tolist(), account, strict=True):
        if acct:
            account_of[code] = acct
    events = engine.Events.of(
        user=user_codes,
        ts=np.asarray(ts, dtype=np.float64),
        kind=kinds,
        page=page_codes,
        target=target_codes,
        x=np.asarray([v or 0 for v in x], np.float32),
        y=np.asarray([v or 0 for v in y], np.float32),
        dead=np.asarray(dead, bool),
    )
    return Columns(
        events=events,
        people=people,
        pages=pages,
        targets=targets,
        names=np.asarray(name, dtype=object),
        accounts=account_of,
        vitals=_vital_codes(kinds, name),
        values=np.asarray([v if v is not None else np.nan for v in value], np.float64),
        truncated=truncated,
        origin=since.timestamp(),
        prop=np.asarray(prop_values, dtype=object) if prop else None,
    )
