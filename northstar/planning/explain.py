"""The planner's findings in a product leader's words: initiatives named (and linked), never engine codes.

The engine speaks in item ids and rule codes (`no_slot`, "the forced items 151, 8"); this module turns
its findings into sentences stored as parts, so a page can link every initiative it names and the API
can return the same sentence as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from northstar.engines.planner import Conflict
from northstar.planning import problem as translate

#: What each kind of "no plan possible" finding is called on the page.
CONFLICT_LABELS = {
    "cycle": "Circular dependency",
    "excluded": "Must-do but excluded",
    "no_slot": "Does not fit",
    "exclusive": "Only one allowed",
    "budget": "Over budget",
    "capacity": "Not enough capacity",
    "forced": "Cannot all fit",
}

Part = dict[str, Any]  # {"text": "..."} or {"initiative": id, "title": "..."}


class Sentence:
    """A sentence built from text and initiatives, kept as parts so a page can link each initiative."""

    def __init__(self, inputs: translate.Inputs) -> None:
        self.inputs = inputs
        self.parts: list[Part] = []

    def text(self, words: str) -> Sentence:
        if self.parts and "text" in self.parts[-1]:
            self.parts[-1]["text"] += words
        else:
            self.parts.append({"text": words})
        return self

    def item(self, item_id: str | int) -> Sentence:
        candidate = self.inputs.candidates.get(int(item_id)) if str(item_id).isdigit() else None
        if candidate is None:
            return self.text(f"initiative {item_id}")
        self.parts.append({"initiative": candidate.id, "title": candidate.title})
        return self

    def items(self, ids: Iterable[str | int]) -> Sentence:
        """“A”, “B” and “C”."""
        ids = list(ids)
        for k, item_id in enumerate(ids):
            if k:
                self.text(" and " if k == len(ids) - 1 else ", ")
            self.item(item_id)
        return self

    def plain(self) -> str:
        return "".join(p["text"] if "text" in p else f"“{p['title']}”" for p in self.parts)


def _why_forced(sentence: Sentence, item_id: str, conflict_items: Iterable[str]) -> Sentence:
    """Why the plan must hold this initiative: a must-do, a pin, or another must-do that needs it."""
    problem = sentence.inputs.problem
    if item_id in problem.mandatory:
        return sentence.text(" is a must-do of this scenario, so it must be in the plan,")
    if item_id in {p.item for p in problem.pins}:
        return sentence.text(" is pinned, so it must be in the plan,")
    requirers = [r.item for r in problem.requires if r.needs == item_id]
    preferred = [x for x in requirers if x in problem.mandatory or x in set(conflict_items)]
    if requirers:
        sentence.text(" must be in the plan because ").item((preferred or requirers)[0]).text(" needs it,")
        return sentence
    return sentence.text(" must be in the plan,")


_NO_SLOT = [
    (
        re.compile(r"(\d+) periods do not fit between its earliest start and deadline"),
        lambda m: f"it takes {m[1]} periods, more than fit between its earliest start and its deadline",
    ),
    (re.compile(r"its pinned start or team leaves no feasible slot"),
     lambda m: "the period or team it is pinned to leaves it no room"),
    (re.compile(r"no team is eligible to do it"), lambda m: "no team has the skills it needs"),
    (
        re.compile(r"no eligible team has ([\d.e+]+) of (.+) per period for it"),
        lambda m: f"it needs {float(m[1]):.0f} team-weeks of {m[2]} a period and no team that could "
        f"do it has that much",
    ),
    (re.compile(r"no eligible team has enough capacity in any feasible window"),
     lambda m: "no team that could do it has enough capacity in any period it could run"),
]  # fmt: skip


def _no_slot_reason(message: str) -> str:
    reason = message.split(" but ", 1)[-1]
    for pattern, words in _NO_SLOT:
        found = pattern.search(reason)
        if found:
            return words(found)
    return reason


def _constraint(label: str, inputs: translate.Inputs) -> str:
    """A constraint family the diagnosis names, as a leader would say it."""
    for g in inputs.problem.guardrails:
        if g.label == label:
            what = g.group.replace("tag: ", "work tagged ").replace("objective: ", "work towards ")
            what = what.replace("line: ", "the line ")
            if g.min_share > 0:
                return f"the rule that {what} gets at least {g.min_share:.0%} of capacity"
            return f"the rule that {what} gets at most {g.max_share:.0%} of capacity"
    return {
        "the precedence rules": "the order that dependencies impose",
        "the mutually exclusive sets": "the rule that only one of some initiatives may be planned",
        "earliest starts and deadlines": "earliest starts and deadlines",
    }.get(label, label)


def _number(message: str, pattern: str) -> tuple[float, float] | None:
    found = re.search(pattern, message)
    return (float(found[1]), float(found[2])) if found else None


def conflict_entry(conflict: Conflict, inputs: translate.Inputs) -> dict[str, Any]:
    """One reason no plan is possible: its label, the sentence (parts and plain text) and the ids."""
    s = Sentence(inputs)
    items = list(conflict.items)
    if conflict.kind == "cycle":
        s.text("These initiatives require each other in a circle, so none of them can start first: ")
        s.items([*items, items[0]] if items else []).text(".")
    elif conflict.kind == "excluded":
        s.item(items[0])
        _why_forced(s, items[0], items)
        s.text(" but it is also excluded (or was removed from the plan by hand).")
    elif conflict.kind == "no_slot":
        s.item(items[0])
        _why_forced(s, items[0], items).text(f" but {_no_slot_reason(conflict.message)}.")
    elif conflict.kind == "exclusive":
        s.items(items).text(" must all be in the plan, but only one of them may be.")
    elif conflict.kind == "budget":
        numbers = _number(conflict.message, r"cost ([\d.e+]+) but the .+ is ([\d.e+]+)")
        s.text("The work that must be in the plan (").items(items).text(")")
        if numbers:
            label = _constraint(conflict.constraints[0], inputs) if conflict.constraints else "the budget"
            s.text(f" costs {numbers[0]:,.0f}, more than the {label} ({numbers[1]:,.0f}).")
        else:
            s.text(" costs more than the budget allows.")
    elif conflict.kind == "capacity":
        numbers = _number(conflict.message, r"need ([\d.e+]+) of .+ but their teams have ([\d.e+]+)")
        skill = re.search(r"capacity \((.+)\)", conflict.constraints[0]) if conflict.constraints else None
        what = skill[1] if skill else "one skill"
        s.text("The work that must be in the plan (").items(items).text(")")
        if numbers:
            s.text(
                f" needs {numbers[0]:,.0f} team-weeks of {what}, but the teams that could do it have "
                f"{numbers[1]:,.0f} in the whole horizon."
            )
        else:
            s.text(f" needs more {what} than the teams that could do it have.")
    else:  # "forced", and anything the engine may add later
        s.items(items).text(" must all be in the plan but cannot all fit")
        culprits = [_constraint(c, inputs) for c in conflict.constraints]
        if culprits:
            s.text(". Any one of these changes would make room: " + "; ".join(culprits) + ".")
        else:
            s.text(": several limits hold them back together.")
    return {
        "kind": conflict.kind,
        "label": CONFLICT_LABELS.get(conflict.kind, "No plan possible"),
        "message": s.plain(),
        "parts": s.parts,
        "items": items,
        "constraints": list(conflict.constraints),
    }


def violations(found: Iterable[Any], inputs: translate.Inputs) -> list[dict[str, Any]]:
    """The checker's findings in people's words: engine ids (initiative and team pks) become names."""
    teams = {str(pk): t.name for pk, t in inputs.teams.items()}
    out = []
    for v in found:
        message = re.sub(r"\bteam (\d+)\b", lambda m: f"team {teams.get(m.group(1), m.group(1))}", v.message)
        message = re.sub(
            r"\bgiven to (\d+)\b", lambda m: f"given to {teams.get(m.group(1), m.group(1))}", message
        )
        for item in v.items:
            c = inputs.candidates.get(int(item)) if item.isdigit() else None
            if c is not None:
                named = f"“{c.title}”".replace("\\", "\\\\")  # a literal replacement, not a template
                message = re.sub(rf"(?<![\d.]){item}(?![\d.])", named, message)
        out.append({"kind": v.kind, "message": message, "items": list(v.items)})
    return out
