"""PDF from HTML with WeasyPrint: a report prints from its own HTML and print CSS.

WeasyPrint lays text out with Pango, so glyphs come from the machine's fonts through fontconfig
(CJK from fonts-noto-cjk), and draws inline SVG charts as vectors with their text searchable.
"""

from __future__ import annotations

import logging

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

# WeasyPrint logs every CSS property it skips; a report's log should show real problems only.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Print an HTML document (with its own `@page` CSS) to PDF bytes."""
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=base_url)
    result = document.write_pdf(font_config=fonts, uncompressed_pdf=False)
    assert result is not None
    return result
