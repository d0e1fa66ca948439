"""The layer rule that keeps engines testable and reusable: nothing under northstar/engines loads Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ENGINES = Path(__file__).resolve().parent.parent / "northstar" / "engines"


def test_every_engine_module_imports_without_django():
    modules = sorted(
        ".".join(path.relative_to(ENGINES.parent.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in ENGINES.rglob("*.py")
    )
    assert "northstar.engines" in modules
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on our own modules
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"engines pulled in Django: {result.stdout.strip()}"
