"""The portal in the company's colours and with its logo.

Visitors should feel they are on the company's site, not on a tool's. The colour is checked so white
button text and links on the white page stay readable (WCAG AA, 4.5:1); the logo goes through the
same size limit as every upload and must be a raster image (an SVG can carry script). The portal's
own host name is a deployment setting (NORTHSTAR_PORTAL_HOST, see `portal_host`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from northstar.core import audit, concurrency, uploads
from northstar.core.errors import ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.feedback.models import PortalBranding, PortalLogo
from northstar.org import access

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$"
)
#: A logo is shown small; a larger file is a mistake, whatever the general upload limit allows.
LOGO_MAX_BYTES = 512 * 1024
#: WCAG AA for normal text: white text on the colour, and the colour as link text on white.
MIN_CONTRAST = 4.5
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


@dataclass(frozen=True)
class Branding:
    """What every portal page shows."""

    company_name: str = ""
    primary_color: str = ""
    accent_ink: str = ""
    logo_sha: str = ""


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(color: str) -> float:
    """The WCAG contrast ratio of the colour against white (1 to 21)."""
    return 1.05 / (_luminance(color) + 0.05)


def _darker(color: str, by: float = 0.2) -> str:
    """The hover shade: the colour mixed with black, so it is never less readable than the colour."""
    r, g, b = (round(int(color[i : i + 2], 16) * (1 - by)) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def clean_color(raw: str) -> str:
    color = (raw or "").strip().lower()
    if not color:
        return ""
    if not _COLOR.match(color):
        raise ValidationFailed("Give the colour as # and six hex digits, e.g. #2d5b7d.")
    ratio = contrast_with_white(color)
    if ratio < MIN_CONTRAST:
        raise ValidationFailed(
            f"White text on {color} is hard to read (contrast {ratio:.1f}:1; it needs {MIN_CONTRAST}:1). "
            "Choose a darker shade."
        )
    return color


def _logo_type(head: bytes) -> str:
    for signature, content_type in _SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    raise ValidationFailed("The logo must be a PNG, JPEG, GIF or WebP image.")


def _read_logo(upload: UploadedFile) -> tuple[bytes, str]:
    uploads.check_size(upload.size)
    if (upload.size or 0) > LOGO_MAX_BYTES:
        raise ValidationFailed(f"Keep the logo under {LOGO_MAX_BYTES // 1024} KB: it is shown small.")
    data = b"".join(upload.chunks())
    return data, _logo_type(data[:16])


def branding_row() -> PortalBranding:
    return PortalBranding.objects.get_or_create(pk=1)[0]


def current_branding() -> Branding:
    """The portal's branding: one read of a one-row table by its key (no cache to go stale: a shared
    cache lookup would cost the same round trip)."""
    row = PortalBranding.objects.filter(pk=1).first()
    branding = (
        Branding(
            company_name=row.company_name,
            primary_color=row.primary_color,
            accent_ink=_darker(row.primary_color) if row.primary_color else "",
            logo_sha=row.logo_sha if row.logo_type else "",
        )
        if row
        else Branding()
    )
    return branding


def logo() -> tuple[bytes, str] | None:
    row = PortalBranding.objects.filter(pk=1).first()
    stored = PortalLogo.objects.filter(pk=1).first()
    if row is None or not row.logo_type or stored is None:
        return None
    return bytes(stored.data), row.logo_type


@transaction.atomic
def branding_update(
    *,
    actor: User,
    company_name: str,
    primary_color: str,
    logo_upload: UploadedFile | None = None,
    remove_logo: bool = False,
    version: int | None = None,
) -> PortalBranding:
    """Change the portal's name, colour or logo (product leaders and admins)."""
    access.require_leading(actor, "the portal's branding")
    row = branding_row()
    concurrency.expect_version(row, version)
    before = audit.snapshot(row)
    row.company_name = (company_name or "").strip()[:120]
    row.primary_color = clean_color(primary_color)
    if logo_upload is not None:
        data, content_type = _read_logo(logo_upload)
        PortalLogo.objects.update_or_create(pk=1, defaults={"data": data})
        row.logo_type, row.logo_sha = content_type, hashlib.sha256(data).hexdigest()[:16]
    elif remove_logo:
        PortalLogo.objects.filter(pk=1).delete()
        row.logo_type, row.logo_sha = "", ""
    return record_save(actor=actor, instance=row, before=before)
