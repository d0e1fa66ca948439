"""Reading uploaded files as text, the one way every import does it."""

from __future__ import annotations

from typing import IO

from northstar.core.errors import ValidationFailed


def read_utf8(stream: IO[bytes] | IO[str], *, hint: str = "save it as UTF-8 CSV") -> str:
    """The whole file as text (a UTF-8 byte-order mark dropped); refuses other encodings with a hint."""
    data = stream.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(f"The file is not UTF-8 text: {hint}. Nothing was imported.") from None
    return data.lstrip("\ufeff")
