"""Two-factor sign-in for local accounts: a time-based code from an authenticator app (TOTP).

django-otp keeps the device (its secret, clock drift, the last code used, and a back-off after wrong
codes); segno draws the QR code. Recovery codes are ours because they must be stored hashed: each is
shown once, kept as a SHA-256 digest and spent on use. Accounts signed on through the identity provider
have their second factor there, so they cannot enrol here.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core import audit
from northstar.core.errors import Conflict, NotFound, ValidationFailed
from northstar.core.models import RecoveryCode, User
from northstar.core.sign_on import is_signed_on
from northstar.org import access

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
DEVICE_NAME = "Authenticator app"


@dataclass(frozen=True)
class Enrolment:
    """What a person needs to add Northstar to their authenticator app."""

    secret: str  # base32, for typing in by hand
    otpauth_url: str
    qr_svg: str  # an inline <svg> of the otpauth URL


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _audit_two_factor(*, actor: User | None, user: User, before: bool, after: bool) -> None:
    audit.audit_update(actor=actor, instance=user, before={"two_factor": before}, after={"two_factor": after})


def _enrolment(device: TOTPDevice) -> Enrolment:
    url = device.config_url
    return Enrolment(
        secret=base64.b32encode(device.bin_key).decode(),
        otpauth_url=url,
        qr_svg=segno.make(url, error="m").svg_inline(scale=5, title="Scan with your authenticator app"),
    )


@transaction.atomic
def two_factor_enrol_start(*, user: User) -> Enrolment:
    """A fresh, unconfirmed authenticator secret to scan; it counts only once a code from it is typed."""
    if is_signed_on(user):
        raise ValidationFailed(
            "You sign in through your company's identity provider: set up two-factor sign-in there."
        )
    if is_enrolled(user):
        raise Conflict("Two-factor sign-in is already on. Turn it off first to move to another app.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return _enrolment(device)


def two_factor_pending(*, user: User) -> Enrolment | None:
    """The enrolment started but not yet confirmed, to show its QR code again."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return _enrolment(device) if device is not None else None


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(code)) for code in codes])
    return codes


def _code_problem(device: TOTPDevice, code: str) -> str | None:
    """Why an authenticator code is refused, or None when it is right (the device records either)."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = (why or {}).get("locked_until")
        seconds = max(1, int((wait - timezone.now()).total_seconds()) + 1) if wait else None
        return "Too many wrong codes in a row" + (
            f": wait {seconds} seconds before the next try." if seconds else "; wait a moment."
        )
    if not device.verify_token(_normalise(code)):
        return "That code is not right. Type the 6 digits your app shows now."
    return None


def _refuse_if(problem: str | None) -> None:
    # Raised only after the transaction committed, so the back-off a wrong code earns is kept.
    if problem:
        raise ValidationFailed(problem)


def two_factor_enrol_confirm(*, user: User, code: str) -> list[str]:
    """Switch two-factor sign-in on with a code from the new app; returns the recovery codes, once."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None:
            raise NotFound(
                "Start setting up two-factor sign-in first: no authenticator is waiting for a code."
            )
        problem = _code_problem(device, code)
        codes: list[str] = []
        if problem is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _audit_two_factor(actor=user, user=user, before=False, after=True)
            codes = _new_recovery_codes(user)
    _refuse_if(problem)
    return codes


def _verify_problem(user: User, code: str) -> str | None:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return None
    normalised = _normalise(code)
    if normalised.isdigit():
        return _code_problem(device, normalised)
    spent = RecoveryCode.objects.filter(user=user, digest=_digest(normalised), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return None if spent else "That recovery code is not right, or it has been used already."


def two_factor_verify(*, user: User, code: str) -> None:
    """Accept a current authenticator code or an unused recovery code (which is then spent); else refuse.

    Raises ValidationFailed for a wrong code, so the caller can count the failure.
    """
    with transaction.atomic():
        problem = _verify_problem(user, code)
    _refuse_if(problem)


def recovery_codes_renew(*, user: User, code: str) -> list[str]:
    """Replace all recovery codes (the old ones stop working), proven with a current code."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise NotFound("Two-factor sign-in is off, so there are no recovery codes to renew.")
        problem = _code_problem(device, code)
        codes = _new_recovery_codes(user) if problem is None else []
    _refuse_if(problem)
    return codes


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off for yourself, proven with a current or recovery code."""
    with transaction.atomic():
        if not is_enrolled(user):
            raise NotFound("Two-factor sign-in is already off.")
        problem = _verify_problem(user, code)
        if problem is None:
            _remove(user)
            _audit_two_factor(actor=user, user=user, before=True, after=False)
    _refuse_if(problem)


@transaction.atomic
def two_factor_reset(*, actor: User | None, user: User) -> None:
    """An admin takes two-factor sign-in off someone who lost their phone and recovery codes.

    `actor` None is the server's operator at the command line (`northstar two_factor_reset NAME`),
    the way back in when the only admin is the one locked out.
    """
    if actor is not None:
        access.require_admin(actor)
    if not is_enrolled(user):
        raise NotFound(f"{user.username} has no two-factor sign-in to reset.")
    _remove(user)
    _audit_two_factor(actor=actor, user=user, before=True, after=False)


def _remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
