"""Words of feedback: a small tokenizer, and each theme's keywords by class-based TF-IDF (c-TF-IDF).

A theme's keywords are the words frequent in its items and rare in the other themes, so two themes
about exports get "csv export" and "pdf export" rather than both "export".
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

_WORD = re.compile(r"[a-z0-9][a-z0-9'+#-]*[a-z0-9+#]|[a-z0-9]")

_STOP_TEXT = """a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
    don't down during each few for from further get gets got had hadn't has hasn't have haven't having he
    her here hers herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself
    just let's like me more most much mustn't my myself no nor not now of off on once only or other ought
    our ours ourselves out over own please really same shan't she should shouldn't so some still such
    than thank thanks that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those through to too under until up us very was wasn't we we'd we'll
    we're we've were weren't what what's when where which while who whom why will with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves also would've could've one
    two im dont cant wont ive thats hi hello hey team guys yes ok okay lot lots way every always
    never ever even want wants need needs use using used make makes"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def tokens(text: str, *, pairs: bool = False) -> list[str]:
    """Lower-cased content words (plural 's' folded); with `pairs`, adjacent word pairs too."""
    words = []
    for word in _WORD.findall((text or "").lower().replace("’", "'")):
        if word in STOP_WORDS or len(word) < 2 or word.isdigit():
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        words.append(word)
    if pairs:
        words += [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return words


def theme_keywords(texts_by_theme: Sequence[Sequence[str]], *, top: int = 5) -> list[list[tuple[str, float]]]:
    """For each theme (a list of its texts), its `top` keywords with their c-TF-IDF weights.

    A word pair replaces its two words when it scores at least as well, so names read naturally
    ("dark mode" rather than "dark, mode").
    """
    counts = [Counter(t for text in texts for t in tokens(text, pairs=True)) for texts in texts_by_theme]
    totals: Counter[str] = Counter()
    for c in counts:
        totals.update(c)
    sizes = [sum(v for k, v in c.items() if " " not in k) or 1 for c in counts]
    average = sum(sizes) / max(len(sizes), 1)
    result = []
    for c, size in zip(counts, sizes, strict=True):
        scored = {
            term: (n / size) * math.log(1 + average / totals[term])
            for term, n in c.items()
            if n >= 2 or len(c) < 30
        }
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        chosen: list[tuple[str, float]] = []
        for term, weight in ranked:
            if any(term in kept.split() or kept in term.split() for kept, _ in chosen):
                continue
            if " " not in term:
                pairs_near_top = [(o, w) for o, w in ranked[: top * 4] if " " in o]
                better_pair = any(term in o.split() and w >= weight * 0.8 for o, w in pairs_near_top)
                if better_pair:
                    continue
            chosen.append((term, round(weight, 6)))
            if len(chosen) == top:
                break
        result.append(chosen)
    return result
