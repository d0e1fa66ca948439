"""Portal sign-in from the customer's own app: a token it signs, which the portal trusts.

The customer's app already knows who its user is and which account they belong to. It signs a short
JWT (HS256, with the secret of its widget site) carrying `email`, `name`, `account` (the customer's
name in Northstar) and `exp`, and sends the user to `/portal/sso/?site=<key>&token=<jwt>`. The portal
then knows the person without an emailed link: their votes count at once and carry the account (so
its revenue shows in the demand behind an idea), and boards private to the account's segment open.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction

from northstar.core import audit
from northstar.core.errors import ApplicationError, NotFound, ValidationFailed
from northstar.core.models import User
from northstar.core.services import record_save
from northstar.feedback.models import Customer, WidgetSite
from northstar.org import access

_SESSION_KEY = "portal_customer"
#: A token is a sign-in link's ticket, not a session: the app mints one per visit.
MAX_LIFETIME_SECONDS = 3600
_EMAIL_MAX = 254


class SignInRefused(ApplicationError):
    status_code = 401


@dataclass(frozen=True)
class PortalCustomer:
    """A person the customer's app vouched for, with their account (when Northstar knows it)."""

    email: str
    name: str = ""
    customer_id: int | None = None
    segment: str = ""
    site_id: int | None = None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def sso_secret_rotate(*, actor: User, site: WidgetSite) -> WidgetSite:
    """Give a site a new signing secret (tokens signed with the old one stop working)."""
    access.require_leading(actor, "widget sites")
    before = audit.snapshot(site)
    site.sso_secret = new_secret()
    return record_save(actor=actor, instance=site, before=before)


def _claims(site: WidgetSite, token: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            site.sso_secret,
            algorithms=["HS256"],
            options={"require": ["exp", "email"]},
            leeway=30,
        )
    except jwt.ExpiredSignatureError:
        raise SignInRefused("This sign-in link has expired: open the portal again from the app.") from None
    except jwt.MissingRequiredClaimError as exc:
        raise ValidationFailed(f"The sign-in token lacks the {exc.claim!r} claim.") from None
    except jwt.InvalidSignatureError:
        raise SignInRefused("The sign-in token's signature does not match this site's secret.") from None
    except jwt.InvalidTokenError as exc:
        raise SignInRefused(f"The sign-in token is not valid ({exc}).") from None
    issued = claims.get("iat")
    if isinstance(issued, int | float) and claims["exp"] - issued > MAX_LIFETIME_SECONDS:
        raise SignInRefused("The sign-in token lives too long: give it at most one hour (exp - iat).")
    return claims


def sso_sign_in(*, site_key: str, token: str) -> PortalCustomer:
    """The person a token names, once its signature, expiry and claims check out."""
    site = WidgetSite.objects.filter(key=site_key, active=True).select_related("customer").first()
    if site is None or not site.sso_secret:
        raise NotFound("Unknown site, or sign-in is not turned on for it.")
    if not token:
        raise ValidationFailed("The sign-in link has no token.")
    claims = _claims(site, token)
    email = str(claims.get("email") or "").strip().lower()
    if "@" not in email or len(email) > _EMAIL_MAX:
        raise ValidationFailed("The sign-in token's email is not an email address.")
    account = str(claims.get("account") or "").strip()
    customer = Customer.objects.filter(name__iexact=account).first() if account else site.customer
    return PortalCustomer(
        email=email,
        name=str(claims.get("name") or "").strip()[:120],
        customer_id=customer.pk if customer else None,
        segment=customer.segment if customer else "",
        site_id=site.pk,
    )


def remember(session: SessionBase, person: PortalCustomer) -> None:
    session.cycle_key()  # a new session id for the signed-in person: no fixation
    session[_SESSION_KEY] = {
        "email": person.email,
        "name": person.name,
        "customer_id": person.customer_id,
        "segment": person.segment,
        "site_id": person.site_id,
    }


def signed_in_customer(session: SessionBase) -> PortalCustomer | None:
    data = session.get(_SESSION_KEY)
    if not isinstance(data, dict) or not data.get("email"):
        return None
    return PortalCustomer(**data)


def forget(session: SessionBase) -> None:
    session.pop(_SESSION_KEY, None)
