"""Market routes in the permission matrix (see tests/permissions.py).

Everyone signed in reads; every writer (PMs, leaders, admins) adds market knowledge; linking a loss
reason or a segment to an idea follows the idea's product line.
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from northstar.core.models import User
from northstar.market.models import Capability, Competitor, ReasonLink, ResearchNote, Segment
from tests.conftest import Cast
from tests.market.factories import lost_reason
from tests.permissions import LEADERS_ACTION, READ, WRITERS_ACTION, WRITERS_PAGE, Case, _expect

POST_ONLY = _expect(stakeholder=405, pm=405, leader=405, admin=405)


def _segment(cast: Cast, user: User | None) -> list[int]:
    return [Segment.objects.get_or_create(name="Matrix segment")[0].pk]


def _competitor(cast: Cast, user: User | None) -> list[int]:
    return [Competitor.objects.get_or_create(name="Matrix rival")[0].pk]


def _kind(key: str, archived: bool = False):
    """A segment or competitor as the archive's address takes it (kind, id), archived when asked."""
    model = {"segment": Segment, "competitor": Competitor}[key]

    def build(cast: Cast, user: User | None) -> list:
        record = model.all_objects.get_or_create(name=f"Archivable {key}")[0]
        if archived:
            model.all_objects.filter(pk=record.pk).update(archived_at=timezone.now())
        return [key, record.pk]

    return build


def _archived_segment(cast: Cast, user: User | None) -> list[int]:
    return [_kind("segment", archived=True)(cast, user)[1]]


def _note(cast: Cast, user: User | None) -> list[int]:
    return [
        ResearchNote.objects.get_or_create(title="Matrix note", defaults={"noted_on": date(2026, 1, 1)})[0].pk
    ]


def _objective(cast: Cast, user: User | None) -> list[int]:
    from tests.strategy.factories import make_objective

    return [make_objective(line=cast.away_line).pk]


def _link(where: str):
    def build(cast: Cast, user: User | None) -> list[int]:
        link = ReasonLink.objects.create(
            reason=lost_reason("price"), initiative=getattr(cast, f"{where}_initiative")
        )
        return [link.pk]

    return build


def _segment_data(cast: Cast, user: User | None) -> dict:
    return {"name": "Edited segment", "dimension": "region", "currency": "EUR", "customer_segment": "smb"}


def _estimate_data(cast: Cast, user: User | None) -> dict:
    return {
        "method": "top_down",
        "as_of": "2026-01-01",
        "source": "Study",
        "tam": "1000",
        "sam": "500",
        "som": "50",
        "spread": "0.2",
        "growth_rate": "0.1",
    }


def _serves(where: str):
    return lambda cast, user: {"initiatives": [getattr(cast, f"{where}_initiative").pk]}


def _competitor_data(cast: Cast, user: User | None) -> dict:
    return {"name": "Edited rival", "positioning": "Cheap", "links": "https://example.com"}


def _rating_data(cast: Cast, user: User | None) -> dict:
    capability = Capability.objects.get_or_create(name="Matrix capability")[0]
    return {
        "capability": capability.pk,
        "column": f"c{_competitor(cast, user)[0]}",
        "score": "3",
        "note": "Trial",
        "rated_on": "2026-02-01",
    }


def _upload(cast: Cast, user: User | None) -> dict:
    body = b"deal,account,amount,outcome,closed,reasons\nM-1,Acme,1000,lost,2026-01-05,price\n"
    return {"preset": "northstar", "file": SimpleUploadedFile("deals.csv", body, content_type="text/csv")}


def _reason_link(where: str):
    def build(cast: Cast, user: User | None) -> dict:
        return {"reason": lost_reason("price"), "initiative": getattr(cast, f"{where}_initiative").pk}

    return build


def _note_data(cast: Cast, user: User | None) -> dict:
    return {"title": "Edited note", "kind": "trend", "noted_on": "2026-01-02", "tags": "ai"}


WEB_CASES = [
    Case("market:index", "get", READ),
    Case("market:segment_create", "get", WRITERS_PAGE),
    Case("market:segment_create", "post", WRITERS_ACTION, data=_segment_data),
    Case("market:segment_detail", "get", READ, args=_segment),
    Case("market:segment_edit", "get", WRITERS_PAGE, args=_segment),
    Case("market:segment_edit", "post", WRITERS_ACTION, args=_segment, data=_segment_data),
    Case("market:estimate_add", "get", WRITERS_PAGE, args=_segment),
    Case("market:estimate_add", "post", WRITERS_ACTION, args=_segment, data=_estimate_data),
    Case("market:segment_serves", "get", WRITERS_PAGE, args=_segment),
    Case("market:segment_serves", "post", WRITERS_ACTION, args=_segment, data=_serves("home"), label="home"),
    Case("market:segment_serves", "post", LEADERS_ACTION, args=_segment, data=_serves("away"), label="away"),
    Case("market:competitors", "get", READ),
    Case("market:competitor_create", "get", WRITERS_PAGE),
    Case("market:competitor_create", "post", WRITERS_ACTION, data=_competitor_data),
    Case("market:competitor_detail", "get", READ, args=_competitor),
    Case("market:competitor_edit", "get", WRITERS_PAGE, args=_competitor),
    Case("market:competitor_edit", "post", WRITERS_ACTION, args=_competitor, data=_competitor_data),
    Case("market:matrix", "get", READ),
    Case("market:rating_set", "get", POST_ONLY),
    Case("market:rating_set", "post", WRITERS_ACTION, data=_rating_data),
    Case("market:capability_create", "get", POST_ONLY),
    Case("market:capability_create", "post", WRITERS_ACTION, data=lambda c, u: {"name": "Offline mode"}),
    Case("market:changes", "get", READ),
    Case("market:win_loss", "get", READ),
    Case("market:deals", "get", READ),
    Case("market:deal_import", "get", WRITERS_PAGE),
    Case("market:deal_import", "post", WRITERS_ACTION, data=_upload),
    Case("market:reason", "get", READ),
    Case("market:reason_link", "get", POST_ONLY),
    Case("market:reason_link", "post", WRITERS_ACTION, data=_reason_link("home"), label="home"),
    Case("market:reason_link", "post", LEADERS_ACTION, data=_reason_link("away"), label="away"),
    Case("market:reason_unlink", "get", POST_ONLY, args=_link("home")),
    Case("market:reason_unlink", "post", WRITERS_ACTION, args=_link("home"), label="home"),
    Case("market:reason_unlink", "post", LEADERS_ACTION, args=_link("away"), label="away"),
    Case("market:initiative", "get", READ, args=lambda c, u: [c.away_initiative.pk]),
    Case("market:objective", "get", READ, args=_objective),
    Case("market:notes", "get", READ),
    Case("market:note_create", "get", WRITERS_PAGE),
    Case("market:note_create", "post", WRITERS_ACTION, data=_note_data),
    Case("market:note_detail", "get", READ, args=_note),
    Case("market:note_edit", "get", WRITERS_PAGE, args=_note),
    Case("market:note_edit", "post", WRITERS_ACTION, args=_note, data=_note_data),
    # the archive: any writer sets a segment or competitor aside or restores it; leaders delete for good
    Case("market:segment_detail", "get", READ, args=_archived_segment, label="archived"),
    Case("core:archive_record", "post", WRITERS_ACTION, args=_kind("segment"), label="segment"),
    Case("core:archive_record", "post", WRITERS_ACTION, args=_kind("competitor"), label="competitor"),
    Case("core:archive_restore", "post", WRITERS_ACTION, args=_kind("segment", True), label="segment"),
    Case("core:archive_restore", "post", WRITERS_ACTION, args=_kind("competitor", True), label="competitor"),
    Case(
        "core:archive_delete",
        "post",
        LEADERS_ACTION,
        args=_kind("segment", True),
        data=lambda cast, user: {"confirm": "yes"},
        label="segment",
    ),
    Case(
        "core:archive_delete",
        "post",
        LEADERS_ACTION,
        args=_kind("competitor"),
        data=lambda cast, user: {"confirm": "yes"},
        label="competitor",
    ),
]
