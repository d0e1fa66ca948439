"""The demo load alone (`northstar demo` into a freshly migrated data directory), this checkout against
another commit, alternating, in one run at one machine load.

    .venv/bin/python benchmarks/demo_load.py [--before main] [--rounds 2] [--json ...]

`first_run.py` times the whole first run of a fresh clone (install included, minutes on a busy
machine); this times only the part issue 20 aims at (the demo load under 15 s, same content), so a
change can be compared with its base under the same load. The other commit is exported with
`git archive` and run with this checkout's virtualenv (same packages), its migrations applied to its
own data directory. Seconds per area are the ones `northstar demo` prints.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import REPO, RESULTS, table, write_json

PYTHON = REPO / ".venv" / "bin" / "python"
AIM_DEMO_SECONDS = 15.0


def _northstar(source: Path, data: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "DATABASE_URL"))}
    env["NORTHSTAR_DATA_DIR"] = str(data)
    env["PYTHONPATH"] = str(source)  # this source tree's `northstar`, not the installed checkout's
    started = time.perf_counter()
    done = subprocess.run(
        [str(PYTHON), "-m", "northstar.cli", *args], cwd=source, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"northstar {' '.join(args)} failed in {source}:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def _load(source: Path, scratch: Path) -> dict[str, Any]:
    data = Path(tempfile.mkdtemp(dir=scratch, prefix="data-"))
    load = os.getloadavg()[0]
    _northstar(source, data, "migrate", "--verbosity", "0")
    seconds, said = _northstar(source, data, "demo")
    took = re.search(r"Took [0-9.]+ s: (.+)", said)
    parts = {name: float(s) for name, s in re.findall(r"(\w+) ([0-9.]+) s", took.group(1))} if took else {}
    shutil.rmtree(data, ignore_errors=True)
    return {
        "load_1m_at_start": round(load, 2),
        "command_s": round(seconds, 1),
        "demo_load_s": round(sum(parts.values()), 1),
        "parts_s": parts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="the commit to compare with (default main)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", default=str(RESULTS / "demo_load.json"))
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="northstar-demo-load-"))
    before = scratch / "before"
    before.mkdir()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", args.before], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    records: list[dict[str, Any]] = []
    try:
        for n in range(args.rounds):
            for label, source in ((f"before ({commit})", before), ("after (this checkout)", REPO)):
                loaded = _load(source, scratch)
                records.append({"benchmark": "demo_load", "round": n + 1, "code": label, **loaded})
                print(f"round {n + 1} {label}: {loaded['demo_load_s']} s {loaded['parts_s']}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        table(["round", "code", "demo load s"], [[r["round"], r["code"], r["demo_load_s"]] for r in records])
    )
    after = [r["demo_load_s"] for r in records if r["code"].startswith("after")]
    records.append(
        {"aim_demo_load_s": AIM_DEMO_SECONDS, "aim_met": bool(after) and max(after) <= AIM_DEMO_SECONDS}
    )
    write_json(args.json, records)


if __name__ == "__main__":
    main()
