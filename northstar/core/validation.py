"""Model validation translated into the service error hierarchy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from northstar.core.errors import ValidationFailed


def validate(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run Django's field, uniqueness and constraint checks; refuse with every problem listed."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        problems = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        summary = "; ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in problems.items()
        )
        noun = instance._meta.verbose_name
        raise ValidationFailed(f"Invalid {noun}: {summary}", detail=problems) from None


def assign(instance: models.Model, data: Mapping[str, Any], *, allowed: Iterable[str]) -> None:
    """Copy the given keys onto the instance, refusing any the caller may not set."""
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(f"Unknown or read-only field(s): {', '.join(unknown)}", detail=unknown)
    for key, value in data.items():
        setattr(instance, key, value)
