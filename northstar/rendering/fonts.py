"""The fonts every renderer asks for, in order: Latin, Greek and Cyrillic from DejaVu or Liberation,
then Noto CJK for Chinese, Japanese and Korean (Debian: fonts-dejavu-core, fonts-noto-cjk).

Text stays text in every format and each renderer falls back through this list glyph by glyph, so a
name like "Łódź", "São Paulo" or "東京" comes out in whichever of these fonts the machine has.
"""

from __future__ import annotations

from functools import cache

FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
)


def css_stack() -> str:
    """The list as a CSS font-family value (with the generic family last)."""
    return ", ".join(f"'{name}'" for name in FAMILIES) + ", sans-serif"


@cache
def matplotlib_families() -> tuple[str, ...]:
    """The families of `FAMILIES` that matplotlib can load here, in order.

    matplotlib looks up every family of the list for every text it draws, and a family it lacks is
    searched for again each time (a failed look-up is not cached, and it logs a warning): on a roadmap
    of a thousand bars that was most of the drawing time. Asking only for fonts that exist keeps the
    look-up cached. matplotlib also keeps its own list of the machine's fonts from its first run, so
    fonts installed since (fonts-noto-cjk after the app) are added here once per process.
    """
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {entry.name for entry in manager.ttflist}
    if any(name not in known for name in FAMILIES):
        seen = {entry.fname for entry in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if path not in seen:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file FreeType cannot read
                    continue
        known = {entry.name for entry in manager.ttflist}
    present = tuple(name for name in FAMILIES if name in known)
    return present or ("DejaVu Sans",)  # matplotlib ships DejaVu Sans itself


@cache
def font_files(*, bold: bool = False) -> tuple[tuple[tuple[str, int], frozenset[int]], ...]:
    """For renderers that draw text themselves (Pillow): each available family's font file (path, face
    index in a collection) with the characters it covers, in `FAMILIES` order."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    found: list[tuple[tuple[str, int], frozenset[int]]] = []
    for family in matplotlib_families():
        wanted = font_manager.FontProperties(family=family, weight="bold" if bold else "normal")
        entry = min(
            (e for e in font_manager.fontManager.ttflist if e.name == family),
            key=lambda e: (
                abs(font_manager.fontManager.score_weight(wanted.get_weight(), e.weight))
                + (0 if e.style == "normal" else 1)
            ),
            default=None,
        )
        if entry is None:
            continue
        face = (str(entry.fname), int(getattr(entry, "index", 0) or 0))
        if any(existing[0] == face[0] for existing, _ in found):
            continue  # another face of a collection already read (CJK JP and SC cover the same)
        with TTFont(face[0], fontNumber=face[1], lazy=True) as font:
            covered = frozenset(font.getBestCmap() or {})
        found.append((face, covered))
    if not found:  # matplotlib's own DejaVu Sans is always there
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        found.append(((path, 0), frozenset(range(0x20, 0x250))))
    return tuple(found)
