"""Shared fixtures: one user per role, and a small org in which the product manager belongs to one line.

Every permission test builds on the same cast: `leader` may change anything, `pm` may change only
`home_line`, `stakeholder` may only read, `admin` may do everything including the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from northstar.core.models import User
from northstar.core.roles import Role
from northstar.org.models import Level, Person, Product, ProductLine, Team
from northstar.portfolio.models import Initiative
from tests import factories


@dataclass
class Cast:
    admin: User
    leader: User
    pm: User
    stakeholder: User
    pm_person: Person
    home_line: ProductLine
    away_line: ProductLine
    home_product: Product
    away_product: Product
    home_team: Team
    away_team: Team
    home_initiative: Initiative
    away_initiative: Initiative

    def user(self, role: str) -> User:
        return {"admin": self.admin, "leader": self.leader, "pm": self.pm, "stakeholder": self.stakeholder}[
            role
        ]


@pytest.fixture
def cast(db: None) -> Cast:
    admin = factories.make_user(Role.ADMIN, username="admin")
    leader = factories.make_user(Role.LEADER, username="leader")
    pm = factories.make_user(Role.PRODUCT_MANAGER, username="pm")
    stakeholder = factories.make_user(Role.STAKEHOLDER, username="stakeholder")
    cpo = factories.make_person(name="Cora CPO", level=Level.CPO, title="Chief Product Officer", user=leader)
    pm_person = factories.make_person(name="Pat PM", level=Level.PM, manager=cpo, user=pm)
    home_line = factories.make_line(name="Home line")
    away_line = factories.make_line(name="Away line")
    home_team = factories.make_team(name="Home team", line=home_line, members=(pm_person,))
    away_team = factories.make_team(name="Away team", line=away_line)
    home_product = factories.make_product(name="Home product", line=home_line)
    away_product = factories.make_product(name="Away product", line=away_line)
    return Cast(
        admin=admin,
        leader=leader,
        pm=pm,
        stakeholder=stakeholder,
        pm_person=pm_person,
        home_line=home_line,
        away_line=away_line,
        home_product=home_product,
        away_product=away_product,
        home_team=home_team,
        away_team=away_team,
        home_initiative=factories.make_initiative(title="Home work", product=home_product),
        away_initiative=factories.make_initiative(title="Away work", product=away_product),
    )


@pytest.fixture
def login(client: Client):
    """Sign a test client in as the given user."""

    def _login(user: User) -> Client:
        client.force_login(user)
        return client

    return _login
