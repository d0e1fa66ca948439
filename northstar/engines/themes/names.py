"""Theme names a leader reads: a short phrase lifted from the theme's most central quotes.

A keyword list ("dark · app · star") says which words are frequent; a leader wants what customers
ask for, in their words ("add dark mode to the app"). So a name is a span of words, cut from one of
the quotes nearest the theme's centre, chosen by:
- the weight of its content words: how many of the theme's items use the word, times how much more
  often the theme uses it than the whole corpus does (a word every theme uses weighs little);
- how many of the theme's items contain the whole span, so common phrasings win over one-offs;
- a cost per word beyond three, so the name stays short.
Spans start and end on a content word and never cross punctuation, so they read as a phrase.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from northstar.engines.themes.keywords import STOP_WORDS, tokens

#: Words a phrase may not start or end on, besides the stop words: function words that leave a
#: phrase hanging ("without SSO our", "because the export").
_EDGE_TEXT = """across after afterwards against along already although among amongst another anyone anything
    anyway around back became become becomes behind beside besides beyond either else elsewhere enough
    etc everyone everything everywhere except first former hence however indeed instead last latter
    least less many may meanwhile might mine moreover must neither nevertheless next nobody none
    noone nothing often otherwise perhaps rather several since somehow someone something sometime
    sometimes somewhere therefore though thus together toward towards upon via whatever whenever
    whereas wherever whether whole whose within without yet"""
_EDGE_STOP = STOP_WORDS | frozenset(_EDGE_TEXT.split())
#: Particles that may end a phrase when they end the clause: "time out", "sign up".
_PARTICLES = frozenset({"out", "up", "down", "off", "on", "in", "over", "back"})
#: How many of a theme's most central quotes offer phrases.
CENTRAL = 15
MAX_WORDS = 7
_CLAUSE = re.compile(r"[.!?;:()\[\]\"“”\n]+|,\s|\s[-–—]\s|\bbut\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’+#@&/-]+", re.UNICODE)


def _fold(word: str) -> str:
    found = tokens(word)
    return found[0] if found else ""


def _spans(text: str) -> list[list[str]]:
    """Word spans (as written) of 1..MAX_WORDS words inside one clause, on content words at both ends."""
    spans = []
    for clause in _CLAUSE.split(text):
        words = _WORD.findall(clause)
        content = [bool(_fold(w)) and w.lower() not in _EDGE_STOP for w in words]
        if words and words[-1].lower() in _PARTICLES and len(words) > 1 and content[-2]:
            content[-1] = True
        for start in range(len(words)):
            if not content[start]:
                continue
            for stop in range(start + 1, min(len(words), start + MAX_WORDS) + 1):
                if content[stop - 1]:
                    spans.append(words[start:stop])
    return spans


def _readable(words: list[str]) -> str:
    phrase = " ".join(words).strip(" -/'’")
    return phrase[:1].upper() + phrase[1:] if phrase[:1].islower() else phrase


def theme_names(texts_by_theme: Sequence[Sequence[str]]) -> list[str]:
    """A name for each theme, from its texts ordered most central first (see the module docstring).

    Two themes never get the same name: the later one takes its next-best phrase.
    """
    docs = [[set(tokens(text)) for text in texts] for texts in texts_by_theme]
    everywhere: Counter[str] = Counter()
    total = 0
    for theme_docs in docs:
        for doc in theme_docs:
            everywhere.update(doc)
        total += len(theme_docs)
    names: list[str] = []
    taken: set[str] = set()
    for texts, theme_docs in zip(texts_by_theme, docs, strict=True):
        size = max(len(theme_docs), 1)
        here: Counter[str] = Counter()
        for doc in theme_docs:
            here.update(doc)
        weight = {
            word: (n / size) * math.log(1 + (n / size) / (everywhere[word] / max(total, 1)))
            for word, n in here.items()
        }
        lowered = [" ".join(_WORD.findall(t.lower())) for t in texts]
        scored: dict[str, float] = {}
        top = max(weight.values(), default=0.0)
        for text in texts[:CENTRAL]:
            for span in _spans(text):
                phrase = _readable(span)
                key = phrase.lower()
                if key in scored or not phrase:
                    continue
                words = {_fold(w) for w in span} - {""}
                share = sum(1 for t in lowered if f" {key} " in f" {t} ") / size
                length_cost = 0.25 * top * max(0, len(span) - 3)
                scored[phrase] = sum(weight.get(w, 0.0) for w in words) + top * share - length_cost
        ranked = sorted(scored, key=lambda p: (-scored[p], len(p), p))
        name = next((p for p in ranked if p.lower() not in taken), "")
        if not name:
            name = (texts[0][:60] if texts else "") or "Unnamed theme"
        taken.add(name.lower())
        names.append(name)
    return names
