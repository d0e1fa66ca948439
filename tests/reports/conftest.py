"""Rate limits count in the cache: each reports test starts, and ends, with none spent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()  # and leave none spent for the tests after
