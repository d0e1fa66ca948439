"""`northstar serve` collects static files only when a source changed: each start stays quick."""

from __future__ import annotations

import os

from django.core.management import call_command
from django.test import override_settings

from northstar import cli


def test_static_files_are_collected_again_only_after_a_source_changes(tmp_path, settings):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "site.css").write_text("body { color: #222; }")
    collected = tmp_path / "static"
    runs: list[str] = []

    def counting(name: str, **options: object) -> None:
        runs.append(name)
        call_command(name, **options)

    with override_settings(STATIC_ROOT=collected, STATICFILES_DIRS=[sources]):
        cli._collect_static(counting)
        assert runs == ["collectstatic"]
        assert (collected / "site.css").exists()

        cli._collect_static(counting)  # nothing changed: the start skips the work
        assert runs == ["collectstatic"]

        (sources / "site.css").write_text("body { color: #111; }")
        stat = (sources / "site.css").stat()
        os.utime(sources / "site.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        cli._collect_static(counting)
        assert runs == ["collectstatic", "collectstatic"]

        (collected / ".sources-fingerprint").unlink()  # a wiped static folder is collected again
        cli._collect_static(counting)
        assert len(runs) == 3
