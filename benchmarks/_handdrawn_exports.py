"""The roadmap's old hand-drawn PDF and PNG exporters (a pixel-by-pixel PNG canvas with a 5x7 bitmap
font, and a PDF written by hand with Helvetica), kept importable for the benchmark only: it measures
the rendering stack that replaced them against them in the same run. Not used by Northstar itself.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import struct
import zlib

from northstar.planning.selectors import Timeline


def _hex(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


# The bitmap font (was northstar/planning/font.py)


import unicodedata

_ROWS = {
    " ": "00 00 00 00 00 00 00",
    "!": "04 04 04 04 00 00 04",
    '"': "0A 0A 0A 00 00 00 00",
    "#": "0A 0A 1F 0A 1F 0A 0A",
    "$": "04 0F 14 0E 05 1E 04",
    "%": "18 19 02 04 08 13 03",
    "&": "0C 12 14 08 15 12 0D",
    "'": "0C 04 08 00 00 00 00",
    "(": "02 04 08 08 08 04 02",
    ")": "08 04 02 02 02 04 08",
    "*": "00 04 15 0E 15 04 00",
    "+": "00 04 04 1F 04 04 00",
    ",": "00 00 00 00 0C 04 08",
    "-": "00 00 00 1F 00 00 00",
    ".": "00 00 00 00 00 0C 0C",
    "/": "00 01 02 04 08 10 00",
    "0": "0E 11 13 15 19 11 0E",
    "1": "04 0C 04 04 04 04 0E",
    "2": "0E 11 01 02 04 08 1F",
    "3": "1F 02 04 02 01 11 0E",
    "4": "02 06 0A 12 1F 02 02",
    "5": "1F 10 1E 01 01 11 0E",
    "6": "06 08 10 1E 11 11 0E",
    "7": "1F 01 02 04 08 08 08",
    "8": "0E 11 11 0E 11 11 0E",
    "9": "0E 11 11 0F 01 02 0C",
    ":": "00 0C 0C 00 0C 0C 00",
    ";": "00 0C 0C 00 0C 04 08",
    "<": "02 04 08 10 08 04 02",
    "=": "00 00 1F 00 1F 00 00",
    ">": "08 04 02 01 02 04 08",
    "?": "0E 11 01 02 04 00 04",
    "@": "0E 11 01 0D 15 15 0E",
    "A": "0E 11 11 11 1F 11 11",
    "B": "1E 11 11 1E 11 11 1E",
    "C": "0E 11 10 10 10 11 0E",
    "D": "1C 12 11 11 11 12 1C",
    "E": "1F 10 10 1E 10 10 1F",
    "F": "1F 10 10 1E 10 10 10",
    "G": "0E 11 10 17 11 11 0F",
    "H": "11 11 11 1F 11 11 11",
    "I": "0E 04 04 04 04 04 0E",
    "J": "07 02 02 02 02 12 0C",
    "K": "11 12 14 18 14 12 11",
    "L": "10 10 10 10 10 10 1F",
    "M": "11 1B 15 15 11 11 11",
    "N": "11 11 19 15 13 11 11",
    "O": "0E 11 11 11 11 11 0E",
    "P": "1E 11 11 1E 10 10 10",
    "Q": "0E 11 11 11 15 12 0D",
    "R": "1E 11 11 1E 14 12 11",
    "S": "0F 10 10 0E 01 01 1E",
    "T": "1F 04 04 04 04 04 04",
    "U": "11 11 11 11 11 11 0E",
    "V": "11 11 11 11 11 0A 04",
    "W": "11 11 11 15 15 15 0A",
    "X": "11 11 0A 04 0A 11 11",
    "Y": "11 11 11 0A 04 04 04",
    "Z": "1F 01 02 04 08 10 1F",
    "[": "0E 08 08 08 08 08 0E",
    "]": "0E 02 02 02 02 02 0E",
    "_": "00 00 00 00 00 00 1F",
    "a": "00 00 0E 01 0F 11 0F",
    "b": "10 10 16 19 11 11 1E",
    "c": "00 00 0E 10 10 11 0E",
    "d": "01 01 0D 13 11 11 0F",
    "e": "00 00 0E 11 1F 10 0E",
    "f": "06 09 08 1C 08 08 08",
    "g": "00 0F 11 11 0F 01 0E",
    "h": "10 10 16 19 11 11 11",
    "i": "04 00 0C 04 04 04 0E",
    "j": "02 00 06 02 02 12 0C",
    "k": "10 10 12 14 18 14 12",
    "l": "0C 04 04 04 04 04 0E",
    "m": "00 00 1A 15 15 11 11",
    "n": "00 00 16 19 11 11 11",
    "o": "00 00 0E 11 11 11 0E",
    "p": "00 00 1E 11 1E 10 10",
    "q": "00 00 0D 13 0F 01 01",
    "r": "00 00 16 19 10 10 10",
    "s": "00 00 0E 10 0E 01 1E",
    "t": "08 08 1C 08 08 09 06",
    "u": "00 00 11 11 11 13 0D",
    "v": "00 00 11 11 11 0A 04",
    "w": "00 00 11 11 15 15 0A",
    "x": "00 00 11 0A 04 0A 11",
    "y": "00 00 11 11 0F 01 0E",
    "z": "00 00 1F 02 04 08 1F",
    "|": "04 04 04 04 04 04 04",
    "…": "00 00 00 00 00 00 15",
    "→": "00 04 02 1F 02 04 00",
    "·": "00 00 00 04 00 00 00",
    "–": "00 00 00 0E 00 00 00",
    "—": "00 00 00 1F 00 00 00",
}
GLYPHS: dict[str, tuple[int, ...]] = {
    ch: tuple(int(x, 16) for x in rows.split()) for ch, rows in _ROWS.items()
}


def _glyph(ch: str) -> tuple[int, ...]:
    if ch in GLYPHS:
        return GLYPHS[ch]
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return GLYPHS.get(plain[:1], GLYPHS["?"])


# ---------------------------------------------------------------------------------------------------
# PDF

SCALE = 0.75  # CSS pixels to PDF points
MARGIN = 28.0
HEADER = 46.0


def _pdf_text(text: str) -> bytes:
    raw = text.replace("→", "->").encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def timeline_pdf(title: str, subtitle: str, t: Timeline) -> bytes:
    """One page, sized to the timeline, with the title, period columns, swimlanes, bars and legend."""
    legend_h = 16.0 * ((len(t.legend) + 2) // 3) + 8
    width = t.width * SCALE + 2 * MARGIN
    height = t.height * SCALE + 2 * MARGIN + HEADER + legend_h * SCALE
    ops: list[bytes] = []

    def y(px: float) -> float:
        return height - MARGIN - HEADER - px * SCALE

    def rect(x: float, top: float, w: float, h: float, rgb: tuple[int, int, int]) -> None:
        r, g, b = (c / 255 for c in rgb)
        ops.append(
            f"{r:.3f} {g:.3f} {b:.3f} rg {MARGIN + x * SCALE:.2f} {y(top + h):.2f} "
            f"{w * SCALE:.2f} {h * SCALE:.2f} re f".encode()
        )

    def text(x: float, baseline: float, s: str, size: float, bold: bool = False, rgb=(30, 35, 45)) -> None:
        r, g, b = (c / 255 for c in rgb)
        font = b"/F2" if bold else b"/F1"
        ops.append(
            f"{r:.3f} {g:.3f} {b:.3f} rg BT ".encode()
            + font
            + f" {size:.1f} Tf {x:.2f} {baseline:.2f} Td ".encode()
            + _pdf_text(s)
            + b" Tj ET"
        )

    text(MARGIN, height - MARGIN - 16, title, 16, bold=True)
    text(MARGIN, height - MARGIN - 32, subtitle[:160], 9, rgb=(90, 98, 112))
    for k, name in enumerate(t.periods):
        x = t.label_width + k * t.column
        rect(x, 0, t.column - 1, t.height, (246, 247, 250) if k % 2 else (240, 242, 246))
        text(MARGIN + (x + 6) * SCALE, y(18), name, 9, bold=True)
    for lane in t.lanes:
        rect(0, lane.y, t.width, 1, (210, 214, 222))
        text(MARGIN + 4 * SCALE, y(lane.y + 16), lane.name[:24], 9, bold=True)
        for bar in lane.bars:
            rect(bar.x, bar.y, bar.w, 20, _hex(bar.colour))
            text(MARGIN + (bar.x + 5) * SCALE, y(bar.y + 14), bar.text, 7.5, rgb=(255, 255, 255))
    for x1, y1, x2, y2 in t.arrows:
        ops.append(
            f"0.35 0.38 0.45 RG 0.6 w {MARGIN + x1 * SCALE:.2f} {y(y1):.2f} m "
            f"{MARGIN + x2 * SCALE:.2f} {y(y2):.2f} l S".encode()
        )
    top = t.height + 10
    for k, (label, colour) in enumerate(t.legend):
        col, row = k % 3, k // 3
        x = col * (t.width / 3)
        rect(x, top + row * 16, 10, 10, _hex(colour))
        text(MARGIN + (x + 14) * SCALE, y(top + row * 16 + 9), label[:60], 8)
    content = zlib.compress(b"\n".join(ops))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.0f} {height:.0f}] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>".encode(),
        f"<< /Length {len(content)} /Filter /FlateDecode >>\nstream\n".encode() + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# ---------------------------------------------------------------------------------------------------
# PNG


class Canvas:
    """An RGB raster with rectangles, lines and bitmap text, written out as a PNG."""

    def __init__(self, width: int, height: int, background: tuple[int, int, int] = (255, 255, 255)) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x: float, y: float, w: float, h: float, rgb: tuple[int, int, int]) -> None:
        x0, y0 = max(0, int(x)), max(0, int(y))
        x1, y1 = min(self.width, int(x + w)), min(self.height, int(y + h))
        if x1 <= x0 or y1 <= y0:
            return
        row = bytes(rgb) * (x1 - x0)
        for yy in range(y0, y1):
            start = (yy * self.width + x0) * 3
            self.pixels[start : start + len(row)] = row

    def line(self, x1: float, y1: float, x2: float, y2: float, rgb: tuple[int, int, int]) -> None:
        steps = int(max(abs(x2 - x1), abs(y2 - y1))) or 1
        for k in range(steps + 1):
            self.rect(x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps, 2, 2, rgb)

    def text(self, x: float, y: float, s: str, rgb: tuple[int, int, int], scale: int = 2) -> None:
        glyph = _glyph

        cx = int(x)
        for ch in s:
            rows = glyph(ch)
            for r, bits in enumerate(rows):
                for c in range(5):
                    if bits & (1 << (4 - c)):
                        self.rect(cx + c * scale, int(y) + r * scale, scale, scale, rgb)
            cx += 6 * scale

    def png(self) -> bytes:
        raw = bytearray()
        stride = self.width * 3
        for yy in range(self.height):
            raw.append(0)
            raw += self.pixels[yy * stride : (yy + 1) * stride]

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
            )

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 6))
            + chunk(b"IEND", b"")
        )


def timeline_png(title: str, subtitle: str, t: Timeline) -> bytes:
    """The timeline at twice the page's scale, so text stays legible in a slide."""
    k = 2
    pad, header = 24, 64
    legend_h = 16 * ((len(t.legend) + 2) // 3) + 8
    canvas = Canvas(int(t.width * k + 2 * pad), int((t.height + legend_h) * k + header + 2 * pad))
    ox, oy = pad, pad + header
    canvas.text(pad, pad, title[:90], (30, 35, 45), scale=3)
    canvas.text(pad, pad + 30, subtitle[:140], (90, 98, 112), scale=2)
    for n, name in enumerate(t.periods):
        x = t.label_width + n * t.column
        canvas.rect(
            ox + x * k, oy, (t.column - 1) * k, t.height * k, (246, 247, 250) if n % 2 else (240, 242, 246)
        )
        canvas.text(ox + (x + 6) * k, oy + 6 * k, name, (30, 35, 45))
    for lane in t.lanes:
        canvas.rect(ox, oy + lane.y * k, t.width * k, 2, (210, 214, 222))
        canvas.text(ox + 4 * k, oy + (lane.y + 8) * k, lane.name[:24], (30, 35, 45))
        for bar in lane.bars:
            canvas.rect(ox + bar.x * k, oy + bar.y * k, bar.w * k, 20 * k, _hex(bar.colour))
            chars = max(1, int((bar.w - 8) / 6))
            canvas.text(ox + (bar.x + 4) * k, oy + (bar.y + 6) * k, bar.text[:chars], (255, 255, 255))
    for x1, y1, x2, y2 in t.arrows:
        canvas.line(ox + x1 * k, oy + y1 * k, ox + x2 * k, oy + y2 * k, (90, 98, 112))
    top = t.height + 10
    for n, (label, colour) in enumerate(t.legend):
        col, row = n % 3, n // 3
        x = col * (t.width / 3)
        canvas.rect(ox + x * k, oy + (top + row * 16) * k, 10 * k, 10 * k, _hex(colour))
        canvas.text(ox + (x + 14) * k, oy + (top + row * 16 + 1) * k, label[:40], (30, 35, 45))
    return canvas.png()
