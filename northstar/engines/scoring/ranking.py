"""Ranking initiatives by one framework, and saying in a sentence why one sits where it does.

Order: scored initiatives by score, highest first; equal scores by id (ascending, as text) so the
order never depends on input order; then every initiative that could not be scored, by id, flagged
`unscored` with the inputs it still needs. Ranks are positions 1..n; `tied` marks shared scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .base import Framework, Score, ScoringError, Term, fmt, fmt_percent, join_words


@dataclass(frozen=True)
class Candidate:
    """An initiative as the engine sees it: an id, a display name and its inputs for any framework."""

    id: str
    inputs: Mapping[str, object]
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Ranked:
    """One row of a ranking: where the initiative landed, its score, and what ranked it."""

    candidate: Candidate
    rank: int
    score: Score
    framework: Framework
    tied: bool = False

    @property
    def item_id(self) -> str:
        return self.candidate.id

    @property
    def unscored(self) -> bool:
        """True when inputs are missing; such rows sit after every scored row."""
        return self.score.value is None


def rank(items: Iterable[Candidate], framework: Framework) -> list[Ranked]:
    """Score and order initiatives (score desc, then id; unscored last, by id).

    Invalid inputs raise ScoringError naming the initiative, so one bad row is fixed at the source
    rather than silently dropped from the ranking.
    """
    scored: list[tuple[Candidate, Score]] = []
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ScoringError(f"initiative id {item.id!r} appears twice in one ranking", item_id=item.id)
        seen.add(item.id)
        try:
            scored.append((item, framework.score(item.inputs)))
        except ScoringError as exc:
            raise ScoringError(f"initiative {item.label!r}: {exc}", field=exc.field, item_id=item.id) from exc

    def order(pair: tuple[Candidate, Score]) -> tuple[int, float, str]:
        value = pair[1].value
        return (1, 0.0, pair[0].id) if value is None else (0, -value, pair[0].id)

    scored.sort(key=order)
    values = [s.value for _, s in scored]
    rows = []
    for i, (item, score) in enumerate(scored):
        neighbours = values[max(i - 1, 0) : i] + values[i + 1 : i + 2]
        tied = score.value is not None and score.value in neighbours
        rows.append(Ranked(item, i + 1, score, framework, tied))
    return rows


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _shown(term: Term) -> str:
    return fmt_percent(term.value) if term.name == "confidence" else fmt(term.value)


def _driver(this: Ranked, other: Ranked, *, raise_this: bool) -> str | None:
    """The input that matters most between two rows, found by swapping one input at a time.

    With `raise_this`, the input of `other` that would lift `this` the most if `this` had it (why
    `other` is above); otherwise the input whose swap would drop `this` the most (why it stays above).
    Swapping works for any framework, additive or multiplicative, without special cases.
    """
    base = this.score.value
    if base is None:
        return None
    best: tuple[float, str] | None = None
    for spec in this.framework.inputs:
        if spec.direction == "categorical":
            continue
        mine, theirs = this.score.term(spec.key), other.score.term(spec.key)
        if mine is None or theirs is None or mine.value == theirs.value:
            continue
        swapped = dict(this.candidate.inputs)
        swapped[spec.key] = theirs.value
        new = this.framework.score(swapped).value
        if new is None:
            continue
        effect = new - base if raise_this else base - new
        if effect > 0 and (best is None or effect > best[0]):
            best = (
                effect,
                f"{spec.label.lower()} ({_shown(theirs if raise_this else mine)} vs "
                f"{_shown(mine if raise_this else theirs)})",
            )
    return None if best is None else best[1]


def _reason(winner: Ranked, loser: Ranked, driver: str | None) -> str:
    if driver:
        return f"mainly on {driver}"
    wc, lc = winner.score.category, loser.score.category
    if wc and lc and wc != lc:
        return f"because it is {wc} rather than {lc}"
    return "on the combined effect of its inputs"


def explain_rank(ranked: list[Ranked], item_id: str, *, total: int | None = None) -> str:
    """Why an initiative is where it is: its score and what separates it from its neighbours.

    `ranked` may be a window of a longer ranking (the row and its neighbours, with their real ranks);
    `total` then says how long the whole ranking is.
    """
    index = next((i for i, r in enumerate(ranked) if r.item_id == item_id), None)
    if index is None:
        raise ScoringError(f"initiative {item_id!r} is not in this ranking", item_id=item_id)
    row = ranked[index]
    label = row.framework.label
    name = row.candidate.label
    n = total if total is not None else len(ranked)
    if row.unscored:
        needs = [s.label.lower() for s in row.framework.inputs if s.key in row.score.missing]
        return (
            f"{name} is listed {ordinal(row.rank)} of {n} but has no {label} score: it still needs "
            f"{join_words(needs)}. Initiatives without a score always come after those with one."
        )
    value = row.score.value
    assert value is not None
    head = f"{name} is ranked {ordinal(row.rank)} of {n} by {label} with {fmt(value)}"
    if row.score.category:
        head += f" ({row.score.category})"
    sentences = [head + "."]
    if index > 0:
        above = ranked[index - 1]
        a_value = above.score.value
        assert a_value is not None
        if a_value == value:
            sentences.append(
                f"It ties with {above.candidate.label} at {fmt(value)}; ties are ordered by id, "
                f"so {above.candidate.label} comes first."
            )
        else:
            why = _reason(above, row, _driver(row, above, raise_this=True))
            sentences.append(
                f"{above.candidate.label} ({ordinal(above.rank)}, {fmt(a_value)}) is above it {why}."
            )
    else:
        sentences.append("Nothing ranks above it.")
    if index + 1 < len(ranked) and not ranked[index + 1].unscored:
        below = ranked[index + 1]
        b_value = below.score.value
        assert b_value is not None
        if b_value == value:
            sentences.append(f"It ties with {below.candidate.label}, which comes after it by id.")
        else:
            why = _reason(row, below, _driver(row, below, raise_this=False))
            sentences.append(
                f"It stays above {below.candidate.label} ({ordinal(below.rank)}, {fmt(b_value)}) "
                f"{why.replace('mainly on', 'mainly thanks to')}."
            )
    return " ".join(sentences)
