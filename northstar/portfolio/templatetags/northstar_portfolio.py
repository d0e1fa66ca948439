"""Template helpers of the prioritisation pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Mapping[str, Any], key: str) -> Any:
    """`scores|get:key` - a dictionary lookup by a variable key."""
    return mapping.get(key) if mapping else None
