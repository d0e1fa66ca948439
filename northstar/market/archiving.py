"""Market segments and competitors in the archive: registered with `northstar.core.archive` when the
app is ready.

Market knowledge is shared by the whole organisation, so the market's one write rule applies: every
writer (product managers, leaders, admins) may archive and restore a segment or a competitor, and
stakeholders read. Deleting one for good stays with leaders (the market's delete services).
"""

from __future__ import annotations

from typing import Any

from northstar.core import archive
from northstar.core.models import User
from northstar.market import services
from northstar.market.models import Competitor, Segment
from northstar.org import access


def _can_change(user: User, record: Any) -> bool:
    return user.is_authenticated and user.can_write


def _require_change(user: User, record: Any) -> None:
    access.require_write(user)


def _delete_segment(*, actor: User, record: Any) -> None:
    services.segment_delete(actor=actor, segment=record)


def _delete_competitor(*, actor: User, record: Any) -> None:
    services.competitor_delete(actor=actor, competitor=record)


def register() -> None:
    archive.register(
        archive.Kind(
            key="segment",
            label="market segment",
            plural="market segments",
            model=Segment,
            can_change=_can_change,
            require_change=_require_change,
            delete=_delete_segment,
            url_name="market:segment_detail",
            title=lambda s: s.name,
        )
    )
    archive.register(
        archive.Kind(
            key="competitor",
            label="competitor",
            plural="competitors",
            model=Competitor,
            can_change=_can_change,
            require_change=_require_change,
            delete=_delete_competitor,
            url_name="market:competitor_detail",
            title=lambda c: c.name,
        )
    )
