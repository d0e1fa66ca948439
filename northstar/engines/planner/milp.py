"""The time-indexed integer program and its HiGHS run.

One binary per (item, eligible team, feasible start); pruning by window, team and single-item fit in
`index.py` keeps that small. Rows that can never bind (a capacity cell that all its candidates together
cannot overfill) are left out, which is the presolve that matters most at portfolio scale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np

from northstar.engines.planner.highs import new_highs

from .index import EPS, Index, item_value

INF = highspy.kHighsInf


@dataclass
class Model:
    """The integer program plus the maps needed to read a solution back."""

    cols: list[tuple[str, str | None, int]] = field(default_factory=list)
    bundle_cols: list[str] = field(default_factory=list)
    bundle_items: dict[str, tuple[str, ...]] = field(default_factory=dict)
    obj: list[float] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    row_labels: list[str] = field(default_factory=list)
    ent_row: list[int] = field(default_factory=list)
    ent_col: list[int] = field(default_factory=list)
    ent_val: list[float] = field(default_factory=list)

    def add_row(self, entries: list[tuple[int, float]], lo: float, hi: float, label: str) -> None:
        r = len(self.row_lo)
        for c, v in entries:
            self.ent_row.append(r)
            self.ent_col.append(c)
            self.ent_val.append(v)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        self.row_labels.append(label)

    @property
    def n_cols(self) -> int:
        return len(self.cols) + len(self.bundle_cols)


def _can_overfill(entries: list[tuple[int, float]], limit: float) -> bool:
    return sum(v for _, v in entries) > limit + EPS * max(1.0, limit)


def build_model(ix: Index) -> Model:
    """Translate the problem into rows and columns (see docs/planner.md for the formulation)."""
    p = ix.problem
    m = Model()
    by_item: dict[str, list[int]] = {}
    for it in p.items:
        cols = []
        for team, start in ix.options[it.id]:
            cols.append(len(m.cols))
            m.cols.append((it.id, team, start))
            m.obj.append(item_value(ix, it, start))
        by_item[it.id] = cols
    forced = set(p.mandatory) | {pin.item for pin in p.pins}
    for it in p.items:
        cols = by_item[it.id]
        if cols and (len(cols) > 1 or it.id in forced):
            lo = 1.0 if it.id in forced else 0.0
            m.add_row([(c, 1.0) for c in cols], lo, 1.0, f"{it.label} is scheduled at most once")

    cap: dict[tuple[str, str, int], list[tuple[int, float]]] = defaultdict(list)
    budget_rows: list[list[tuple[int, float]]] = [[] for _ in p.budgets]
    budget_q = [ix.pidx[b.period] if b.period else None for b in p.budgets]
    for c, (x, team, start) in enumerate(m.cols):
        it = ix.items[x]
        span = range(start, start + it.duration)
        if team is not None:
            for skill, eff in it.effort.items():
                if eff > 0:
                    for q in span:
                        cap[(team, skill, q)].append((c, eff / it.duration))
        if it.cost > 0:
            for k, b in enumerate(p.budgets):
                if b.group is not None and b.group not in it.groups:
                    continue
                bq = budget_q[k]
                if bq is None:
                    budget_rows[k].append((c, it.cost))
                elif start <= bq < start + it.duration:
                    budget_rows[k].append((c, it.cost / it.duration))
    for (team, skill, q), entries in sorted(cap.items()):
        limit = ix.caps.get((team, skill, q), 0.0)
        if _can_overfill(entries, limit):
            m.add_row(entries, -INF, limit, f"capacity:{team}:{skill}:{q}")
    for k, b in enumerate(p.budgets):
        if _can_overfill(budget_rows[k], b.amount):
            m.add_row(budget_rows[k], -INF, b.amount, f"budget:{k}")
    for k, g in enumerate(p.guardrails):
        mins: list[tuple[int, float]] = []
        maxs: list[tuple[int, float]] = []
        for c, (x, _t, _s) in enumerate(m.cols):
            it = ix.items[x]
            total = it.total_effort if g.measure == "capacity" else it.cost
            if total <= 0:
                continue
            part = total if g.group in it.groups else 0.0
            mins.append((c, part - g.min_share * total))
            maxs.append((c, part - g.max_share * total))
        if g.min_share > 0:
            m.add_row(mins, 0.0, INF, f"guardrail-min:{k}")
        if g.max_share < 1:
            m.add_row(maxs, -INF, 0.0, f"guardrail-max:{k}")
    for r in p.requires:
        entries = [(c, 1.0) for c in by_item[r.item]] + [(c, -1.0) for c in by_item[r.needs]]
        if by_item[r.item]:
            m.add_row(entries, -INF, 0.0, f"requires:{r.item}:{r.needs}")
    for e in p.exclusives:
        members = list(dict.fromkeys(e.items))
        entries = [(c, 1.0) for x in members for c in by_item[x]]
        if len(members) > 1 and entries:
            m.add_row(entries, -INF, 1.0, "exclusive:" + ",".join(members))
    for pr in p.precedences:
        _precedence_rows(ix, m, pr.before, pr.after, by_item)
    for bundle in p.bundles:
        z = m.n_cols
        m.bundle_cols.append(bundle.id)
        m.bundle_items[bundle.id] = bundle.items
        m.obj.append(bundle.value)
        for x in dict.fromkeys(bundle.items):
            m.add_row([(z, 1.0)] + [(c, -1.0) for c in by_item[x]], -INF, 0.0, f"bundle:{bundle.id}")
    return m


def _precedence_rows(ix: Index, m: Model, a: str, b: str, by_item: Mapping[str, list[int]]) -> None:
    """For every period q: not (b started by q and a still running at q). Exact and LP-tight."""
    dur_a = ix.items[a].duration
    for q in range(ix.n_periods):
        b_part = [(c, 1.0) for c in by_item[b] if m.cols[c][2] <= q]
        a_part = [(c, 1.0) for c in by_item[a] if m.cols[c][2] + dur_a - 1 >= q]
        if b_part and a_part:
            m.add_row(b_part + a_part, -INF, 1.0, f"precedence:{a}:{b}")


def to_highs(
    m: Model, time_limit: float, gap: float, threads: int, seed: int, verbose: bool
) -> highspy.Highs:
    """A configured HiGHS instance holding the model (columns binary, bundle columns continuous)."""
    h = new_highs(verbose=verbose)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", int(seed))
    lp = highspy.HighsLp()
    n = m.n_cols
    lp.num_col_ = n
    lp.num_row_ = len(m.row_lo)
    lp.col_cost_ = np.asarray(m.obj, dtype=np.float64)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.asarray(m.row_lo, dtype=np.float64)
    lp.row_upper_ = np.asarray(m.row_hi, dtype=np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize
    integrality = [highspy.HighsVarType.kInteger] * len(m.cols) + [highspy.HighsVarType.kContinuous] * len(
        m.bundle_cols
    )
    lp.integrality_ = integrality
    rows = np.asarray(m.ent_row, dtype=np.int64)
    cols = np.asarray(m.ent_col, dtype=np.int64)
    vals = np.asarray(m.ent_val, dtype=np.float64)
    order = np.lexsort((rows, cols))
    starts = np.searchsorted(cols[order], np.arange(n + 1)).astype(np.int32)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = rows[order].astype(np.int32)
    lp.a_matrix_.value_ = vals[order]
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(m.row_lo)
    h.passModel(lp)
    return h


def set_start(h: highspy.Highs, m: Model, chosen: Mapping[str, tuple[str | None, int]]) -> None:
    """Hand HiGHS a known feasible plan (from the greedy) as its first incumbent."""
    x = np.zeros(m.n_cols)
    for c, (item, team, start) in enumerate(m.cols):
        if chosen.get(item) == (team, start):
            x[c] = 1.0
    placed = set(chosen)
    for k, bid in enumerate(m.bundle_cols):
        x[len(m.cols) + k] = float(all(i in placed for i in m.bundle_items[bid]))
    sol = highspy.HighsSolution()
    sol.col_value = list(x)
    sol.value_valid = True
    h.setSolution(sol)
