"""Reading CSV files people export from other tools: one place for the encoding, the delimiter and dates.

Spreadsheets save CSV in whatever their locale likes: UTF-8 with or without a byte-order mark, UTF-16
("Unicode text"), Windows-1252 / Latin-1; commas, or semicolons where the comma is the decimal mark,
tabs, pipes. Every importer opens its file here so they all read the same files the same way:

* the encoding: a byte-order mark decides; else UTF-8 when the start of the file is valid UTF-8; else
  charset-normalizer chooses between the Western single-byte encodings;
* the delimiter: `csv.Sniffer` restricted to comma, semicolon, tab and pipe, with a count of the header
  line when it cannot tell;
* dates: ISO dates, dates with a month name and dates whose day is above 12 read as they are; a date
  like 01/02/2024 (January or February?) is refused unless the person importing chose the order.

Files are read as a stream: a million-row import holds one row at a time, never the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes

from northstar.core.errors import ValidationFailed

#: The delimiters a file may use.
DELIMITERS = ",;\t|"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

#: How much of the start of a file decides its encoding and delimiter.
SAMPLE_BYTES = 64 * 1024

#: Encodings a file without a byte-order mark that is not UTF-8 is taken to be in (charset-normalizer
#: chooses): what spreadsheet programs on Western-European systems save.
SINGLE_BYTE = ["cp1252", "latin_1"]

#: How the person importing says to read dates like 01/02/2024.
DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"
DATE_ORDERS = {
    "": "Refuse dates like 01/02/2024",
    DAY_FIRST: "Day first (31/12/2024)",
    MONTH_FIRST: "Month first (12/31/2024)",
}
#: The words forms, the API and the CLI accept for each order.
_ORDER_ALIASES = {
    "": "",
    "dmy": DAY_FIRST,
    "day-first": DAY_FIRST,
    "day": DAY_FIRST,
    "mdy": MONTH_FIRST,
    "month-first": MONTH_FIRST,
    "month": MONTH_FIRST,
}
ORDER_HELP = (
    "choose the date order (day first or month first) on the import page, "
    "or pass date_order=dmy or mdy (CLI: --date-order dmy|mdy)"
)


def date_order(raw: str | None) -> str:
    """The order named by a form field, API parameter or CLI option ("" when none was chosen)."""
    key = (raw or "").strip().lower()
    if key not in _ORDER_ALIASES:
        raise ValidationFailed(f"Unknown date order “{raw}”: use dmy (day first) or mdy (month first).")
    return _ORDER_ALIASES[key]


# Encodings -------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """The encoding to read a file in, from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the decoder reads the mark and drops it
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a cut last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=SINGLE_BYTE).best()
    return best.encoding if best is not None else "cp1252"


def _encoding_name(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252"}.get(
        encoding, encoding.replace("_", "-").upper()
    )


# Delimiters ------------------------------------------------------------------------------------------


def detect_delimiter(sample: str) -> str:
    """The delimiter of a file from its first lines: comma, semicolon, tab or pipe."""
    lines = sample.splitlines()[:20]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut short
    head = "\n".join(lines)
    if not head.strip():
        return ","
    try:
        return csv.Sniffer().sniff(head, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


# Reading ---------------------------------------------------------------------------------------------


class CsvFile:
    """An open CSV file: its header, then its rows one at a time (lists of cells).

    `line_num` is the file line of the last row read (what refusals name); `fraction()` how far along
    the file the reading is, for progress bars.
    """

    def __init__(self, handle: IO[str], *, encoding: str, size: int, raw: IO[bytes] | None) -> None:
        self.handle = handle
        self.encoding = encoding
        self.size = max(size, 1)
        self._raw = raw
        start = handle.read(SAMPLE_BYTES)
        self.delimiter = detect_delimiter(start)
        handle.seek(0)
        self.reader = csv.reader(handle, delimiter=self.delimiter)
        self.headers: list[str] = []

    @property
    def line_num(self) -> int:
        return self.reader.line_num

    def read_header(self) -> list[str]:
        """The header row; refuses an empty file."""
        try:
            self.headers = next(self.reader)
        except StopIteration:
            raise ValidationFailed("The file is empty: it needs a header row and at least one row.") from None
        except (csv.Error, UnicodeError) as exc:
            raise ValidationFailed(f"The file could not be read. {self.reading_error(exc)}.") from None
        return self.headers

    def __iter__(self) -> Iterator[list[str]]:
        return self.reader

    def dicts(self) -> Iterator[dict[str, str]]:
        """The rows as {header: cell} (csv.DictReader's shape), after `read_header`."""
        headers = self.headers
        for row in self.reader:
            if not row:
                continue
            record: dict[str, Any] = dict(zip(headers, row, strict=False))
            if len(row) > len(headers):
                record[None] = row[len(headers) :]  # type: ignore[index]
            elif len(row) < len(headers):
                for name in headers[len(row) :]:
                    record.setdefault(name, None)
            yield record

    def fraction(self) -> float:
        if self._raw is None:
            return 0.0
        try:
            return min(1.0, self._raw.tell() / self.size)
        except (OSError, ValueError):
            return 0.0

    def reading_error(self, exc: Exception) -> str:
        """Why the file cannot be read past the last good row, said so the person can fix it."""
        if isinstance(exc, UnicodeError):
            line = self._undecodable_line()
            where = f"Line {line}" if line else f"After row {self.line_num}"
            return (
                f"{where}: the text is not {_encoding_name(self.encoding)} as the start of the file is; "
                "save the whole file in one encoding (UTF-8 is best)"
            )
        return f"Row {self.line_num + 1}: it is not valid CSV ({exc})"

    def _undecodable_line(self) -> int | None:
        """The file line whose bytes the encoding cannot read (the text layer reads ahead in blocks,
        so the row reader's own count stops short of it)."""
        name = getattr(self._raw, "name", None)
        if not isinstance(name, str):
            return None
        decoder = codecs.getincrementaldecoder(self.encoding)()
        with open(name, "rb") as f:
            for number, line in enumerate(f, start=1):
                try:
                    decoder.decode(line)
                except UnicodeDecodeError:
                    return number
        return None

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> CsvFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def csv_open(source: Path | str | bytes | IO[bytes] | IO[str]) -> CsvFile:
    """Open a CSV file (a path, bytes, or an uploaded file) with its encoding and delimiter found."""
    if isinstance(source, (str, Path)) and not isinstance(source, bytes):
        path = Path(source)
        try:
            raw: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise ValidationFailed(f"Cannot read {path.name}: {exc.strerror or exc}.") from None
        encoding = detect_encoding(raw.read(SAMPLE_BYTES))
        raw.seek(0)
        handle = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        return CsvFile(handle, encoding=encoding, size=path.stat().st_size, raw=raw)
    if isinstance(source, bytes):
        data = source
    else:
        read = source.read()
        if isinstance(read, str):
            text = read.lstrip("\ufeff")
            return CsvFile(io.StringIO(text, newline=""), encoding="utf-8", size=len(text), raw=None)
        data = read
    encoding = detect_encoding(data[:SAMPLE_BYTES])
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            f"Row {line}: the text there is not {_encoding_name(encoding)} as the start of the file is; "
            "save the whole file in one encoding (UTF-8 is best). Nothing was imported."
        ) from None
    if "\x00" in text:
        raise ValidationFailed("The file is not a CSV text file. Nothing was imported.")
    return CsvFile(
        io.StringIO(text.lstrip("\ufeff"), newline=""), encoding=encoding, size=len(data), raw=None
    )


def csv_text(source: bytes | IO[bytes] | IO[str]) -> str:
    """A small file's whole text, decoded as `csv_open` would (for readers that take text)."""
    with csv_open(source) as f:
        return f.handle.read()


# Dates -----------------------------------------------------------------------------------------------

_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?"
#: 31/01/2024, 01.31.2024, 1-31-24 (day and month in an order the file does not say), with a time.
_NUMERIC = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + r"$", re.IGNORECASE)
#: 2024/01/31: year first is always year, month, day.
_YEAR_FIRST = re.compile(r"^(\d{4})([./])(\d{1,2})\2(\d{1,2})" + _TIME + r"$", re.IGNORECASE)
#: 2 Feb 2024, 2-Feb-24, 02/Feb/24 3:15 PM
_DAY_NAME = re.compile(r"^(\d{1,2})[ ./-]*([a-z]{3,9})\.?[ ./,-]*(\d{4}|\d{2})" + _TIME + r"$", re.IGNORECASE)
#: Feb 2, 2024, February 2nd 2024
_NAME_DAY = re.compile(
    r"^([a-z]{3,9})\.?[ ./-]*(\d{1,2})(?:st|nd|rd|th)?,?[ ./-]*(\d{4})" + _TIME + r"$", re.IGNORECASE
)


class AmbiguousDate(ValueError):
    """A date whose day and month could be either way round, with no order chosen."""


def _year(raw: str) -> int:
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _clock(groups: tuple[str | None, ...]) -> time:
    hour, minute, second, half = groups
    if hour is None:
        return time()
    h = int(hour)
    if half:
        if not 1 <= h <= 12:
            raise ValueError("hour")
        h = h % 12 + (12 if half.lower().startswith("p") else 0)
    return time(h, int(minute or 0), int(second or 0))


@lru_cache(maxsize=8192)
def _parse(raw: str, order: str) -> datetime:
    """The date and time a cell holds (naive unless it says its zone); see `parse_datetime`."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
        if len(text) >= 8:  # not a bare "2024" or "20240131"-like number fromisoformat also takes
            return value
    except ValueError:
        pass
    try:
        if m := _YEAR_FIRST.match(text):
            return datetime.combine(date(int(m[1]), int(m[3]), int(m[4])), _clock(m.groups()[4:]))
        if m := _NUMERIC.match(text):
            first, second, year = int(m[1]), int(m[3]), _year(m[4])
            clock = _clock(m.groups()[4:])
            if first > 12 and second <= 12:  # a day above 12 says the order itself
                return datetime.combine(date(year, second, first), clock)
            if second > 12 and first <= 12:
                return datetime.combine(date(year, first, second), clock)
            if first == second or order == MONTH_FIRST:
                return datetime.combine(date(year, first, second), clock)
            if order == DAY_FIRST:
                return datetime.combine(date(year, second, first), clock)
            raise AmbiguousDate(
                f"“{text}” could be {_spoken(year, second, first)} or {_spoken(year, first, second)}: "
                f"{ORDER_HELP}"
            )
        if m := _DAY_NAME.match(text):
            month = _MONTHS.get(m[2].lower())
            if month:
                return datetime.combine(date(_year(m[3]), month, int(m[1])), _clock(m.groups()[3:]))
        if m := _NAME_DAY.match(text):
            month = _MONTHS.get(m[1].lower())
            if month:
                return datetime.combine(date(int(m[3]), month, int(m[2])), _clock(m.groups()[3:]))
    except AmbiguousDate:
        raise
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a date (a day or month out of range)") from None
    raise ValueError(f"“{text[:40]}” is not a date Northstar can read (use e.g. 2024-05-31)")


def _spoken(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).strftime("%-d %B %Y")
    except ValueError:
        return f"{day}/{month}/{year}"


def parse_datetime(raw: str, order: str = "") -> datetime:
    """A cell's date and time: ISO, a month name, or day/month/year numbers (see the module docstring).

    Raises ValueError saying why (AmbiguousDate when the order is needed and was not chosen). Naive
    unless the cell gives its zone.
    """
    return _parse(raw, order)


def parse_date(raw: str, order: str = "") -> date:
    """A cell's calendar day (any time in it is dropped); ValueError as `parse_datetime`."""
    text = raw.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return _parse(text, order).date()
