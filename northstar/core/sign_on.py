"""Single sign-on with OpenID Connect: the company's identity provider vouches for who signs in.

mozilla-django-oidc runs the authorization-code flow (state, nonce and PKCE kept in the session); this
module adds what it leaves to the site: every ID token's issuer, audience and expiry checked, accounts
matched on the provider's subject (never on an e-mail address), roles taken from the provider's groups
through a configurable mapping, and the sign-out hand-off to the provider (RP-initiated logout).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from northstar.core import audit
from northstar.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from northstar.core.models import SignOnIdentity, User
from northstar.core.roles import Role

logger = logging.getLogger(__name__)

#: Most powerful first: someone in several mapped groups gets the strongest of their roles.
ROLE_RANK = (Role.ADMIN, Role.LEADER, Role.PRODUCT_MANAGER, Role.STAKEHOLDER)
#: How far the provider's clock may be from ours when checking a token's times.
CLOCK_LEEWAY_SECONDS = 60
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def sso_enabled() -> bool:
    """Single sign-on is offered once an issuer and a client are configured."""
    return bool(settings.SSO_ISSUER and settings.OIDC_RP_CLIENT_ID)


def claim_groups(claims: Mapping[str, Any]) -> list[str]:
    """The groups the provider sent, as a list of names (a single string counts as one group)."""
    raw = claims.get(settings.SSO_GROUPS_CLAIM)
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [str(group) for group in raw]
    return []


def role_for_groups(groups: Iterable[str], *, mapping: Mapping[str, str], unknown: str) -> str | None:
    """The role a set of provider groups earns: the strongest mapped one.

    With no mapped group the account gets the least role (stakeholder, read-only) or, when `unknown`
    is "refuse", no role at all (None) and so no way in.
    """
    roles = {mapping[group] for group in groups if group in mapping}
    for role in ROLE_RANK:
        if role in roles:
            return role
    return None if unknown == "refuse" else Role.STAKEHOLDER


def _account_state(user: User) -> audit.Snapshot:
    """What the audit log keeps about a signed-on account (never its password field)."""
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": user.is_active,
    }


def _free_username(claims: Mapping[str, Any]) -> str:
    """A readable username not yet taken: the provider's preferred one, else the e-mail's local part."""
    email = str(claims.get("email") or "")
    wanted = str(claims.get("preferred_username") or email.split("@")[0] or f"sso-{claims['sub']}")
    base = _USERNAME_UNSAFE.sub("-", wanted)[:140].strip("-") or "sso-user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _apply_claims(user: User, claims: Mapping[str, Any], role: str) -> None:
    user.email = str(claims.get("email") or user.email)[:254]
    user.first_name = str(claims.get("given_name") or user.first_name)[:150]
    user.last_name = str(claims.get("family_name") or user.last_name)[:150]
    user.role = role
    user.is_staff = role == Role.ADMIN


def sso_account_sign_in(*, issuer: str, claims: Mapping[str, Any]) -> User:
    """The login for an identity-provider account, created on first sign-in, its role set from groups.

    The provider is the source of truth for the role: it is recomputed at every sign-in, so moving
    someone between groups takes effect the next time they sign in. Refuses an account no mapped
    group admits (when unknown groups are refused) and a login an admin has switched off.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise PermissionDenied("The identity provider did not say who you are (no subject); sign-in refused.")
    groups = claim_groups(claims)
    role = role_for_groups(groups, mapping=settings.SSO_ROLE_MAP, unknown=settings.SSO_UNKNOWN_GROUPS)
    if role is None:
        raise PermissionDenied(
            "Your account is in no group that gives a Northstar role, so sign-in is refused. "
            "Ask whoever runs Northstar to map one of your groups to a role."
        )
    try:
        with transaction.atomic():
            return _sign_in(issuer=issuer, subject=subject, claims=claims, groups=groups, role=role)
    except IntegrityError:
        # Two first sign-ins raced for one identity (or one username): the other created it, so use it.
        with transaction.atomic():
            return _sign_in(issuer=issuer, subject=subject, claims=claims, groups=groups, role=role)


def _sign_in(*, issuer: str, subject: str, claims: Mapping[str, Any], groups: list[str], role: str) -> User:
    now = timezone.now()
    identity = (
        SignOnIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        user = User(username=_free_username(claims))
        _apply_claims(user, claims, role)
        user.set_unusable_password()
        user.save()
        SignOnIdentity.objects.create(
            user=user, issuer=issuer, subject=subject, groups=groups, last_sign_in_at=now
        )
        audit.audit_create(actor=user, instance=user, after=_account_state(user))
        logger.info("Single sign-on created login %s (%s) for %s at %s", user.username, role, subject, issuer)
        return user
    user = identity.user
    if not user.is_active:
        raise PermissionDenied("This Northstar login has been switched off; ask an admin.")
    before = _account_state(user)
    _apply_claims(user, claims, role)
    user.save(update_fields=["email", "first_name", "last_name", "role", "is_staff"])
    identity.groups = groups
    identity.last_sign_in_at = now
    identity.save(update_fields=["groups", "last_sign_in_at"])
    audit.audit_update(actor=user, instance=user, before=before, after=_account_state(user))
    return user


def is_signed_on(user: User) -> bool:
    """Whether a login belongs to the identity provider (its password and second factor live there)."""
    return SignOnIdentity.objects.filter(user=user).exists()


def provider_logout_url(request: HttpRequest, *, id_token: str | None) -> str | None:
    """Where to send a browser so the provider ends its session too (RP-initiated logout), or None.

    Needs the provider's end-session endpoint and the ID token of this sign-in; the provider sends the
    browser back to the sign-in page, which must be registered there as a post-logout redirect URI.
    """
    endpoint = settings.SSO_END_SESSION_ENDPOINT
    if not (sso_enabled() and endpoint and id_token):
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("core:login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class SignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code-flow backend, with the token checks and account rules above."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        # Only the sign-on callback passes a nonce; a password sign-in never reaches the provider.
        if request is None or not sso_enabled() or "nonce" not in kwargs or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> User | None:
        # Django's own rule, so an account switched off is signed out at its next request.
        return ModelBackend.get_user(self, user_id)

    def _verify_jws(self, payload: bytes, key: Any) -> dict[str, Any]:
        """Check the ID token's signature, issuer, audience and times (the library checks fewer)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"ID token signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.SSO_ISSUER,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token refused: issued to several clients, and not on our behalf")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims overlaid with the userinfo endpoint's (which must name the same subject)."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if str(userinfo.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("The provider's userinfo names another subject than the ID token")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        try:
            return sso_account_sign_in(issuer=settings.SSO_ISSUER, claims=claims)
        except ApplicationError as exc:
            self.request.sso_refusal = exc.message  # shown by the callback
            logger.warning("Single sign-on refused %s: %s", claims.get("sub"), exc.message)
            return None


#: Discovery document field -> the environment variable that carries it.
DISCOVERED_SETTINGS = (
    ("issuer", "NORTHSTAR_OIDC_ISSUER"),
    ("authorization_endpoint", "NORTHSTAR_OIDC_AUTHORIZATION_ENDPOINT"),
    ("token_endpoint", "NORTHSTAR_OIDC_TOKEN_ENDPOINT"),
    ("userinfo_endpoint", "NORTHSTAR_OIDC_USERINFO_ENDPOINT"),
    ("jwks_uri", "NORTHSTAR_OIDC_JWKS_URI"),
    ("end_session_endpoint", "NORTHSTAR_OIDC_END_SESSION_ENDPOINT"),
)


def provider_discover(issuer: str, *, timeout: float = 10) -> dict[str, str]:
    """The environment settings an issuer's discovery document gives (`northstar sso_discover`)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ValidationFailed(f"No OpenID discovery document at {url}: {exc}") from None
    if document.get("issuer") != issuer:
        raise ValidationFailed(
            f"The provider calls itself {document.get('issuer')!r}, not {issuer!r}: use its own issuer."
        )
    return {name: str(document[field]) for field, name in DISCOVERED_SETTINGS if document.get(field)}
