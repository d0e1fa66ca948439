"""Every CSV Northstar hands out is written here, by one escaping rule.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some also after a
leading TAB or line break; anyone who can name a product line, a team or an initiative could then
run a formula on the reader's machine. Text starting with one of them gets a leading apostrophe
(the spreadsheet convention for "this is text"); numbers stay numbers.

    csv_text(rows)                        -> the whole file as text
    csv_response(rows, filename=...)      -> a download (streamed, so large exports stay cheap)
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet will only ever read it as data."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Escaped CSV lines, one per row, produced as they are read."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    return "".join(csv_lines(rows))


def csv_response(rows: Iterable[Iterable[Any]], *, filename: str) -> StreamingHttpResponse:
    """A CSV download: escaped, streamed, named."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
