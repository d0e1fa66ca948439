"""Template context shared by every page: the navigation, built from the signed-in user's role."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


#: (label, url name, url names that count as "inside" this area)
_SECTIONS = (
    ("Home", "core:home", {"core:home"}),
    ("Org chart", "org:chart", {"org:chart"}),
    ("People", "org:people", {"org:people", "org:person_detail", "org:person_create", "org:person_edit"}),
    (
        "Product lines",
        "org:lines",
        {
            "org:lines",
            "org:line_detail",
            "org:line_create",
            "org:line_edit",
            "org:product_create",
            "org:product_edit",
        },
    ),
    ("Teams", "org:teams", {"org:teams", "org:team_detail", "org:team_create", "org:team_edit"}),
    ("Portfolio", "portfolio:list", {"portfolio:"}),
    ("Strategy", "strategy:dashboard", {"strategy:"}),
    ("Roadmap", "planning:roadmap", {"planning:"}),
    ("Feedback", "feedback:inbox", {"feedback:"}),
    ("Delivery", "delivery:index", {"delivery:"}),
    ("Finance", "finance:index", {"finance:"}),
    ("Analytics", "analytics:index", {"analytics:"}),
    ("Market", "market:index", {"market:"}),
    ("People & hiring", "people:index", {"people:"}),
    ("Reports", "reports:index", {"reports:"}),
)


def _inside(current: str, names: AbstractSet[str]) -> bool:
    """A page is inside a section when it is listed, or its namespace is ('portfolio:' covers all)."""
    return current in names or any(n.endswith(":") and current.startswith(n) for n in names)


@cache
def _section_urls() -> tuple[tuple[tuple[str, str, frozenset[str]], ...], tuple[str, ...]]:
    """Each built section's (label, url, names) and the labels still to come: the URLconf is fixed for
    the life of the process, so this is worked out once rather than on every page."""
    built, soon = [], []
    for label, name, names in _SECTIONS:
        try:
            built.append((label, reverse(name), frozenset(names)))
        except NoReverseMatch:  # an area whose pages are still on the way: a label, never a dead link
            soon.append(label)
    return tuple(built), tuple(soon)


def navigation(request: HttpRequest) -> dict:
    """Only signed-in users see navigation; the audit log entry only for those who may read it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    built, soon = _section_urls()
    items = [NavItem(label, url, _inside(current, names)) for label, url, names in built]
    settings_items = []
    if user.is_leading:
        settings_items.append(NavItem("Audit log", reverse("core:audit"), current == "core:audit"))
    if user.can_write:
        settings_items.append(NavItem("Archive", reverse("core:archive"), current.startswith("core:archive")))
    settings_items.append(NavItem("API tokens", reverse("core:tokens"), current == "core:tokens"))
    settings_items.append(NavItem("Sign-in security", reverse("core:security"), current == "core:security"))
    if user.role == "admin":
        settings_items.append(NavItem("Logins", reverse("core:logins"), current == "core:logins"))
    return {
        "nav_items": items,
        "nav_soon": soon,
        "nav_settings": settings_items,
        "nav_role": user.get_role_display(),
    }
