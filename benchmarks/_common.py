"""Small helpers shared by the benchmark scripts: repo paths, JSON output and plain-text tables."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"

if str(REPO) not in sys.path:  # run as a script from anywhere: `python benchmarks/nrp.py`
    sys.path.insert(0, str(REPO))


def write_json(path: Path | str, data: Sequence[dict[str, Any]] | dict[str, Any]) -> None:
    """Write a result file, pretty enough to diff, stamped with where it was measured.

    Every result file records the commit, the CPU and the machine's load (`machine()`): a dict gets a
    "machine" entry, a list of records a first record `{"measure": "machine", ...}`, unless the caller
    already put them in.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped: Any
    if isinstance(data, dict):
        stamped = data if "machine" in data or "commit" in data else {"machine": machine(), **data}
    else:
        records = list(data)
        has_machine = any(isinstance(r, dict) and "commit" in r for r in records)
        stamped = records if has_machine else [{"measure": "machine", **machine()}, *records]
    path.write_text(json.dumps(stamped, indent=1, sort_keys=False) + "\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (it reads fine in a terminal too)."""

    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """Where and on what a result was measured: the commit, the CPU and how busy the machine was.

    `dirty` says the code measured differs from the commit (uncommitted changes to the app or the
    benchmarks), so a figure is never credited to a commit that did not produce it.
    """
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--", "northstar", "benchmarks/*.py"))
    cpu = platform.processor()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    load_1m, load_5m, _ = os.getloadavg()
    return {
        "commit": commit,
        "dirty": dirty,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_1m": round(load_1m, 2),
        "load_5m": round(load_5m, 2),
    }


@contextlib.contextmanager
def checkout(rev: str, where: Path) -> Iterator[tuple[Path, str]]:
    """A work tree of commit `rev` at `where` (and its short hash), for measuring an earlier commit
    beside this one in the same run; removed afterwards."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(where), rev], cwd=REPO, check=True, capture_output=True
    )
    try:
        yield where, _git("rev-parse", "--short", rev)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=REPO, check=False)
