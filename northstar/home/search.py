"""Global search: one query over initiatives, objectives and key results, KPIs, people, teams,
feedback, customers, decisions and themes.

The database does the full-text work: SQLite's FTS5 in the embedded default, PostgreSQL's text
search on a team install (see migrations 0003 and 0009). Every word matches as a prefix ("onb" finds
"onboarding"); a word that matches nothing is replaced by the closest word the index knows
("onbaording" -> "onboarding") and the page says so. Titles weigh more than bodies.
"""

from __future__ import annotations

import difflib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from northstar.core.models import User
from northstar.home.indexing import SOURCES
from northstar.home.models import SearchEntry

#: At most this many words of a query count (a pasted paragraph is not a search).
MAX_WORDS = 8
#: How close a word of the index must be to a mistyped word to stand in for it (0-1).
TYPO_CUTOFF = 0.75
#: Most results one search returns.
MAX_RESULTS = 50

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    record_id: int
    title: str
    detail: str
    url: str


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: str = ""  # the query as searched when a typo was corrected
    kinds: tuple[str, ...] = ()


def words_of(query: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(query or "")][:MAX_WORDS]


def visible_kinds(user: User) -> tuple[str, ...]:
    """What this user may find: every indexed kind for anyone signed in, since every role reads
    these areas; nothing otherwise. Who said a piece of feedback is never indexed, so a stakeholder
    finds the customer voice without the customer's people (see org.access.can_see_customer_people).
    """
    if not user.is_authenticated:
        return ()
    return tuple(SOURCES)


def entry_url(kind: str, record_id: int, *, decision_of: dict[int, int] | None = None) -> str:
    if kind == "decision":
        initiative_id = (decision_of or {}).get(record_id)
        return SOURCES["initiative"].url(initiative_id) + "#decisions" if initiative_id else ""
    return SOURCES[kind].url(record_id)


# The two engines ------------------------------------------------------------------------------------

#: PostgreSQL: each entry's `tsvector`, a stored column with a GIN index (migration 0009), so
#: neither the match nor the rank parses the text again.
PG_DOCUMENT = "document"
#: PostgreSQL: every word the index holds (a full read: remembered in `_pg_vocabulary`).
PG_VOCABULARY = "SELECT word FROM ts_stat('SELECT document FROM home_searchentry')"


def _fts_ids(words: list[str], kinds: tuple[str, ...], limit: int) -> list[int]:
    if not words or not kinds:
        return []
    kind_marks = ", ".join(["%s"] * len(kinds))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{w}:*" if len(w) > 1 else w for w in words)
            cursor.execute(
                f"SELECT id FROM home_searchentry WHERE {PG_DOCUMENT} @@ to_tsquery('simple', %s) "  # noqa: S608
                f"AND kind IN ({kind_marks}) "
                f"ORDER BY (lower(title) LIKE %s) DESC, "
                f"ts_rank({PG_DOCUMENT}, to_tsquery('simple', %s)) DESC, id LIMIT %s",
                [tsquery, *kinds, f"%{words[0]}%", tsquery, limit],
            )
        else:
            match = " ".join(f'"{w}"*' if len(w) > 1 else f'"{w}"' for w in words)
            cursor.execute(
                "SELECT e.id FROM home_search_fts f JOIN home_searchentry e ON e.id = f.rowid "  # noqa: S608
                f"WHERE home_search_fts MATCH %s AND e.kind IN ({kind_marks}) "
                "ORDER BY bm25(home_search_fts, 10.0, 1.0), e.id LIMIT %s",
                [match, *kinds, limit],
            )
        return [row[0] for row in cursor.fetchall()]


def _has_match(word: str) -> bool:
    return bool(_fts_ids([word], tuple(SOURCES), 1))


_pg_vocabulary: dict[str, Any] = {"key": None, "words": [], "at": 0.0}


def _vocabulary(first: str) -> list[str]:
    """Words of the index starting with `first` (the first letter is rarely the mistyped one)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ts_stat reads the whole index: remember its answer until the index changes.
            cursor.execute("SELECT count(*), max(updated_at) FROM home_searchentry")
            key = cursor.fetchone()
            if _pg_vocabulary["key"] != key or time.monotonic() - _pg_vocabulary["at"] > 600:
                cursor.execute(PG_VOCABULARY)
                _pg_vocabulary.update(key=key, words=[r[0] for r in cursor.fetchall()], at=time.monotonic())
            return [w for w in _pg_vocabulary["words"] if w.startswith(first)]
        cursor.execute(
            "SELECT term FROM home_search_vocab WHERE term >= %s AND term < %s",
            [first, first + "\uffff"],
        )
        return [row[0] for row in cursor.fetchall()]


def corrected_words(words: list[str], *, unmatched: frozenset[str] = frozenset()) -> list[str]:
    """Each word that matches nothing, replaced by the closest word the index holds (if close).

    `unmatched`: words the caller already knows match nothing, so the index is not asked twice.
    """
    out = []
    for word in words:
        if len(word) < 3 or (word not in unmatched and _has_match(word)):
            out.append(word)
            continue
        close = difflib.get_close_matches(word, _vocabulary(word[0]), n=1, cutoff=TYPO_CUTOFF)
        out.append(close[0] if close else word)
    return out


# The search -----------------------------------------------------------------------------------------


def search(*, user: User, query: str, kind: str = "", limit: int = 20) -> Results:
    """The best `limit` matches the user may see, typo-corrected when the words as typed find nothing."""
    limit = max(1, min(limit, MAX_RESULTS))
    kinds = visible_kinds(user)
    if kind:
        kinds = tuple(k for k in kinds if k == kind)
    results = Results(query=query, kinds=kinds)
    words = words_of(query)
    if not words or not kinds:
        return results
    ids = _fts_ids(words, kinds, limit)
    if not ids:
        # One word that found nothing over every kind is known to match nothing: do not ask again.
        unmatched = frozenset(words) if len(words) == 1 and set(kinds) == set(SOURCES) else frozenset()
        fixed = corrected_words(words, unmatched=unmatched)
        if fixed != words:
            ids = _fts_ids(fixed, kinds, limit)
            results.corrected = " ".join(fixed)
    entries = {e.pk: e for e in SearchEntry.objects.filter(pk__in=ids)}
    decision_ids = [e.record_id for e in entries.values() if e.kind == "decision"]
    decision_of = {}
    if decision_ids:
        from northstar.portfolio.models import Decision

        decision_of = dict(Decision.objects.filter(pk__in=decision_ids).values_list("pk", "initiative_id"))
    for pk in ids:
        entry = entries.get(pk)
        if entry is None:
            continue
        results.hits.append(
            Hit(
                kind=entry.kind,
                label=SOURCES[entry.kind].label,
                record_id=entry.record_id,
                title=entry.title,
                detail=entry.detail,
                url=entry_url(entry.kind, entry.record_id, decision_of=decision_of),
            )
        )
    return results
