"""Tokens and webhook secrets encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from the
`cryptography` library), under a key derived from SECRET_KEY with HKDF.

Changing SECRET_KEY makes stored tokens unreadable: `reveal` then refuses with a message asking for
the token again, instead of failing a sync with a cryptic error.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from northstar.core.errors import ValidationFailed


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"northstar", info=b"delivery connection secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plain: str) -> str:
    """Encrypt a token for storage; the empty string stays empty (no token)."""
    if not plain:
        return ""
    return _fernet(settings.SECRET_KEY).encrypt(plain.encode()).decode("ascii")


def reveal(sealed: str) -> str:
    """The stored token in clear, for the moment a request needs it."""
    if not sealed:
        return ""
    try:
        return _fernet(settings.SECRET_KEY).decrypt(sealed.encode("ascii")).decode()
    except InvalidToken:
        raise ValidationFailed(
            "The stored token cannot be read (was SECRET_KEY changed?): enter the token again."
        ) from None
