"""Fixtures of the portfolio tests."""

from __future__ import annotations

import pytest

from northstar.core.roles import Role
from tests import factories


@pytest.fixture
def director(cast):
    """A login for the home line's director (the cast's lines have directors without one)."""
    user = factories.make_user(Role.PRODUCT_MANAGER, username="director")
    person = cast.home_line.director
    person.user = user
    person.save()
    return user
