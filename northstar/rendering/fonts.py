"""The fonts every renderer asks for, in order: Latin, Greek and Cyrillic from DejaVu or Liberation,
then Noto CJK for Chinese, Japanese and Korean (Debian: fonts-dejavu-core, fonts-noto-cjk).

Text stays text in every format and each renderer falls back through this list glyph by glyph, so a
name like "Łódź", "São Paulo" or "東京" comes out in whichever of these fonts the machine has.
"""

from __future__ import annotations

FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
)


def css_stack() -> str:
    """The list as a CSS font-family value (with the generic family last)."""
    return ", ".join(f"'{name}'" for name in FAMILIES) + ", sans-serif"
