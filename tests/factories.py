"""Factory functions: the smallest valid records, with every field overridable by keyword."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from northstar.core.models import User
from northstar.core.roles import Role
from northstar.org.models import Level, Person, Product, ProductLine, Skill, Team
from northstar.portfolio.models import Initiative, Kind, Stage

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(role: str = Role.STAKEHOLDER, **kw: Any) -> User:
    n = next(_seq)
    user = User(username=kw.pop("username", f"user{n}"), role=role, **kw)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_person(**kw: Any) -> Person:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "name": f"Person {n}",
        "email": f"person{n}@example.com",
        "title": "Product Manager",
        "level": Level.PM,
    }
    defaults.update(kw)
    return Person.objects.create(**defaults)


def make_line(**kw: Any) -> ProductLine:
    n = next(_seq)
    director = kw.pop("director", None) or make_person(level=Level.DIRECTOR, title="Director of Product")
    return ProductLine.objects.create(name=kw.pop("name", f"Line {n}"), director=director, **kw)


def make_product(**kw: Any) -> Product:
    n = next(_seq)
    line = kw.pop("line", None) or make_line()
    return Product.objects.create(name=kw.pop("name", f"Product {n}"), line=line, **kw)


def make_team(*, skills: tuple[str, ...] = ("backend",), members: tuple[Person, ...] = (), **kw: Any) -> Team:
    n = next(_seq)
    line = kw.pop("line", None) or make_line()
    team = Team.objects.create(
        name=kw.pop("name", f"Team {n}"), line=line, cost_rate=kw.pop("cost_rate", Decimal("12000")), **kw
    )
    team.skills.set([Skill.objects.get_or_create(name=s)[0] for s in skills])
    team.members.set(members)
    return team


def make_initiative(**kw: Any) -> Initiative:
    n = next(_seq)
    if "product" not in kw:
        kw["product"] = make_product()
    defaults: dict[str, Any] = {"title": f"Initiative {n}", "kind": Kind.FEATURE, "stage": Stage.IDEA}
    defaults.update(kw)
    return Initiative.objects.create(**defaults)
