"""Small typed readers for environment settings that fail loudly on bad values.

Kept free of Django imports so the CLI can use them before Django is configured.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class SettingError(ValueError):
    """An environment variable holds a value Northstar cannot use."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingError(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name} must be an integer; got {raw!r}") from None


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default).strip().lower()
    if raw not in choices:
        raise SettingError(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return raw


def env_currency(name: str, default: str) -> str:
    """A three-letter ISO 4217 currency code, upper-cased (e.g. EUR, USD, GBP)."""
    raw = os.environ.get(name, default).strip().upper()
    if len(raw) != 3 or not raw.isalpha() or not raw.isascii():
        raise SettingError(f"{name} must be a three-letter currency code such as EUR; got {raw!r}")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_mapping(name: str, default: dict[str, str]) -> dict[str, str]:
    """`key=value` pairs separated by commas, e.g. `pm-group=pm,leaders=leader`."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    mapping: dict[str, str] = {}
    for part in raw.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SettingError(f"{name} must be key=value pairs separated by commas; got {part.strip()!r}")
        mapping[key.strip()] = value.strip()
    return mapping


def data_dir() -> Path:
    """Where the embedded database, the secret key file and generated files live."""
    return Path(os.environ.get("NORTHSTAR_DATA_DIR", "var")).expanduser().resolve()


def secret_key_file() -> Path:
    return data_dir() / "secret_key"


def ensure_secret_key_file() -> Path:
    """Create the data directory's secret key once, so a local install needs no configuration.

    Called explicitly by the CLI (never as a silent fallback inside settings): a deployment sets
    SECRET_KEY, a laptop gets a key written next to its database, readable only by its owner.
    """
    path = secret_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path


def secret_key() -> str | None:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = secret_key_file()
    if path.exists():
        return path.read_text().strip()
    return None
