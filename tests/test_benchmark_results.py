"""Every benchmark result file says where it was measured, so a figure in docs/ can be traced to a
commit, a CPU and how busy the machine was (benchmarks/_common.py `write_json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
MACHINE_FACTS = {"commit", "cpu", "load_1m"}


def _machine_records(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        return [data["machine"]] if isinstance(data.get("machine"), dict) else [data]
    return [record for record in data if isinstance(record, dict) and "commit" in record]


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda path: path.name)
def test_result_file_records_commit_cpu_and_load(path: Path) -> None:
    data = json.loads(path.read_text())
    if path.name.endswith("_study.json"):  # one-off studies without a script say what they lack
        assert data["commit"] and data["machine_not_recorded"]
        return
    records = _machine_records(data)

    assert records, f"{path.name} has no record of the commit it measured"
    for record in records:
        missing = MACHINE_FACTS - set(record)
        assert not missing, f"{path.name} does not record {sorted(missing)}"
        assert record["commit"], f"{path.name} records an empty commit"


def test_write_json_stamps_lists_and_dicts(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(RESULTS.parent))
    from benchmarks._common import write_json

    write_json(tmp_path / "list.json", [{"case": "a", "seconds": 1.0}])
    write_json(tmp_path / "dict.json", {"cases": []})

    listed = json.loads((tmp_path / "list.json").read_text())
    assert listed[0]["measure"] == "machine" and set(listed[0]) >= MACHINE_FACTS
    assert listed[1] == {"case": "a", "seconds": 1.0}
    assert set(json.loads((tmp_path / "dict.json").read_text())["machine"]) >= MACHINE_FACTS
