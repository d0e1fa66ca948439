"""The planner is a pure engine: no Django anywhere in it, not even transitively."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import northstar.engines.planner as planner

ENGINE = Path(planner.__file__).parent


def test_no_django_import_in_source() -> None:
    pattern = re.compile(r"^\s*(from\s+django|import\s+django)", re.MULTILINE)
    offenders = [p.name for p in ENGINE.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_importing_the_engine_does_not_load_django() -> None:
    code = (
        "import sys, northstar.engines.planner; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603 (our own interpreter and code)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_files_stay_small() -> None:
    assert all(len(p.read_text().splitlines()) < 700 for p in ENGINE.rglob("*.py"))
