"""CSV files as spreadsheets save them: any common encoding and delimiter, and no guessed dates."""

from __future__ import annotations

import ast
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from northstar.core.csv_read import AmbiguousDate, csv_open, date_order, parse_date, parse_datetime
from northstar.core.errors import ValidationFailed

ROWS = [["name", "note", "amount"], ["Café Crème", "naïve – “quoted”", "12.5"], ["Zoë", "x", "3"]]
#: Every encoding a spreadsheet's "Save as CSV" writes, as the file's bytes are made.
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: text.encode("utf-8-sig"),
    "utf-16 (BOM)": lambda text: text.encode("utf-16"),
    "utf-16-be (BOM)": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
    "windows-1252": lambda text: text.replace("“", '"').replace("”", '"').encode("cp1252"),
    "latin-1": lambda text: text.replace("“", "<").replace("”", ">").replace("–", "-").encode("latin-1"),
}
DELIMITERS = [",", ";", "\t", "|"]


def _text(delimiter: str) -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in ROWS)


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_every_encoding_and_delimiter_reads_the_same_cells(tmp_path, encoding, delimiter):
    data = ENCODINGS[encoding](_text(delimiter))
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    for source in (path, io.BytesIO(data)):
        with csv_open(source) as reader:
            assert reader.delimiter == delimiter
            assert reader.read_header() == ROWS[0]
            rows = list(reader)
        assert [r[0] for r in rows] == ["Café Crème", "Zoë"]
        assert rows[0][1].startswith("naïve") and rows[0][2] == "12.5"


def test_a_semicolon_file_keeps_its_decimal_commas_in_one_cell():
    with csv_open(io.BytesIO(b"date;value\n2024-01-01;12,5\n2024-01-02;3,25\n")) as reader:
        reader.read_header()
        assert list(reader) == [["2024-01-01", "12,5"], ["2024-01-02", "3,25"]]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="empty"), csv_open(io.BytesIO(b"")) as reader:
        reader.read_header()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-02-01", date(2024, 2, 1)),
        ("2024/02/01", date(2024, 2, 1)),
        ("13/02/2024", date(2024, 2, 13)),
        ("02/13/2024", date(2024, 2, 13)),
        ("2 Feb 2024", date(2024, 2, 2)),
        ("Feb 2, 2024", date(2024, 2, 2)),
        ("02/Feb/24 3:15 PM", date(2024, 2, 2)),
        ("05.05.2024", date(2024, 5, 5)),  # the same either way round
    ],
)
def test_unambiguous_dates_read_without_an_order(raw, expected):
    assert parse_date(raw) == expected


def test_an_ambiguous_date_is_refused_saying_how_to_choose_and_read_once_chosen():
    with pytest.raises(AmbiguousDate) as refused:
        parse_date("01/02/2024")
    assert "1 February 2024 or 2 January 2024" in str(refused.value)
    assert "day first or month first" in str(refused.value) and "--date-order" in str(refused.value)
    assert parse_date("01/02/2024", date_order("day-first")) == date(2024, 2, 1)
    assert parse_date("01/02/2024", date_order("mdy")) == date(2024, 1, 2)
    assert parse_datetime("01/02/2024 17:30", "mdy").isoformat() == "2024-01-02T17:30:00"
    with pytest.raises(ValidationFailed, match="Unknown date order"):
        date_order("ymd")


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_a_chosen_order_reads_every_date_back_and_no_order_never_guesses(day):
    day_first, month_first = f"{day:%d/%m/%Y}", f"{day:%m/%d/%Y}"
    assert parse_date(day_first, "dmy") == day and parse_date(month_first, "mdy") == day
    assert parse_date(day_first, "mdy" if day.day > 12 else "dmy") == day  # a day above 12 wins
    if day.day <= 12 and day.day != day.month:
        with pytest.raises(AmbiguousDate):
            parse_date(day_first)
    else:
        assert parse_date(day_first) == day


#: Every module that imports a CSV file a person uploads.
IMPORTERS = [
    "northstar/feedback/imports.py",
    "northstar/strategy/metric_values.py",
    "northstar/finance/imports.py",
    "northstar/delivery/imports.py",
    "northstar/market/imports.py",
    "northstar/analytics/ingest.py",
    "northstar/people/candidate_files.py",
]
ROOT = Path(__file__).resolve().parents[2]


def test_every_importer_reads_through_the_shared_reader_and_nothing_parses_csv_on_its_own():
    for module in IMPORTERS:
        tree = ast.parse((ROOT / module).read_text())
        shared = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "northstar.core.csv_read"
        ]
        assert shared and any(a.name == "csv_open" for n in shared for a in n.names), module
    for path in (ROOT / "northstar").rglob("*.py"):
        if path.name == "csv_read.py" and path.parent.name == "core":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                assert node.attr not in {"reader", "DictReader", "Sniffer"}, f"{path}: csv.{node.attr}"
            if isinstance(node, ast.Name):
                assert node.id != "read_utf8", f"{path} decodes CSV on its own"
