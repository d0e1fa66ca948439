"""Reading what Northstar writes the way a person's tools would: PDF text with poppler's pdftotext,
PDF pages as PNG with pdftoppm (for a human to look at), and PPTX through LibreOffice (headless).

Each helper calls `tests.environment.require`, so a machine without the tool skips locally and fails
under CI=true. PNGs land in test-output/screenshots/.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.environment import require

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    require(name, path is not None, hint=f"install Debian's {package}")
    return str(path)


def pdf_text(pdf: bytes) -> str:
    tool = _tool("pdftotext", "poppler-utils")
    result = subprocess.run(  # noqa: S603 - poppler on a file the test wrote
        [tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=120
    )
    return result.stdout.decode()


def pdf_pages(pdf: bytes, name: str, *, resolution: int = 60) -> list[Path]:
    """Every page as a PNG under test-output/screenshots/<name>-N.png."""
    tool = _tool("pdftoppm", "poppler-utils")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob(f"{name}-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603
            [tool, "-png", "-r", str(resolution), str(source), str(SCREENSHOTS / name)],
            check=True,
            timeout=300,
        )
    return sorted(SCREENSHOTS.glob(f"{name}-*.png"))


def pptx_to_pdf(pptx: bytes) -> bytes:
    """Convert with LibreOffice headless, in a profile of its own so parallel runs do not collide."""
    tool = shutil.which("soffice") or shutil.which("libreoffice")
    require("LibreOffice (soffice)", tool is not None, hint="install Debian's libreoffice-impress")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "pack.pptx"
        source.write_bytes(pptx)
        subprocess.run(  # noqa: S603
            [str(tool), f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", folder, str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        return (Path(folder) / "pack.pdf").read_bytes()
