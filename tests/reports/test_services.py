"""Status updates (proposal, override, permissions), packs (draft, issue, frozen), share links, the
slide template, digests and reminders."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pptx import Presentation

from northstar.core.errors import Conflict, PermissionDenied, ValidationFailed
from northstar.core.models import AuditEntry
from northstar.planning.models import BudgetEnvelope
from northstar.reports import digests, packs, services, storage
from northstar.reports.models import DigestSubscription, Pack, Status, StatusReminder
from tests import factories
from tests.reports.factories import TODAY, key_result, make_report_world


@pytest.fixture
def world(cast):
    return make_report_world(cast)


# Status updates ----------------------------------------------------------------------------------


def test_the_proposal_comes_from_the_data_with_its_reasons(cast, world):
    update = services.status_update_create(
        actor=cast.pm, line=cast.home_line, period=world.period, status=Status.OFF_TRACK, today=TODAY
    )
    assert update.proposed_status == Status.OFF_TRACK and not update.is_override
    objectives = next(p for p in update.proposal if p["signal"] == "objectives")
    assert "20%" in objectives["reason"] and "67% of 2031-Q1 gone" in objectives["reason"]
    assert objectives["url"] == f"/strategy/?period={world.period.pk}"


def test_a_different_status_needs_a_reason_and_keeps_the_proposal(cast, world):
    with pytest.raises(ValidationFailed, match="say why"):
        services.status_update_create(
            actor=cast.pm, line=cast.home_line, period=world.period, status=Status.ON_TRACK, today=TODAY
        )
    update = services.status_update_create(
        actor=cast.pm,
        line=cast.home_line,
        period=world.period,
        status=Status.ON_TRACK,
        override_reason="The big merchants sign next week.",
        risks=[services.RiskInput("Partner slips", owner_id=cast.pm_person.pk, severity="high")],
        today=TODAY,
    )
    assert update.is_override and update.proposed_status == Status.OFF_TRACK
    assert [r.owner for r in update.risks.all()] == [cast.pm_person]
    assert AuditEntry.objects.filter(record_type="reports.statusupdate", record_id=str(update.pk)).exists()


def test_only_the_lines_people_and_leaders_post_its_status(cast, world):
    with pytest.raises(PermissionDenied):
        services.status_update_create(
            actor=cast.pm, line=cast.away_line, period=world.period, status=Status.ON_TRACK, today=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.status_update_create(
            actor=cast.stakeholder, line=cast.home_line, period=world.period, status="on_track", today=TODAY
        )
    assert (
        services.status_update_create(
            actor=cast.leader, line=cast.away_line, period=world.period, status=Status.ON_TRACK, today=TODAY
        ).proposed_status
        == Status.ON_TRACK
    )


def test_bad_risks_are_refused_whole(cast, world):
    with pytest.raises(ValidationFailed, match="Risk 2: no person"):
        services.status_update_create(
            actor=cast.leader, line=cast.away_line, period=world.period, status="on_track", today=TODAY,
            risks=[services.RiskInput("Fine"), services.RiskInput("Ghost owner", owner_id=999_999)],
        )  # fmt: skip
    assert not cast.away_line.status_updates.exists()


# Packs -------------------------------------------------------------------------------------------


def _board(cast) -> Pack:
    return services.pack_create(actor=cast.leader, template="board", cut_off=TODAY)


def test_a_pack_starts_from_its_template_and_only_leaders_build_it(cast, world):
    pack = _board(cast)
    assert pack.title == "Board pack 2031-Q1"
    assert [s.key for s in pack.sections.all()][:3] == ["headline", "health", "objectives"]
    with pytest.raises(PermissionDenied):
        services.pack_create(actor=cast.pm, template="board", cut_off=TODAY)
    with pytest.raises(ValidationFailed, match="needs its product line"):
        services.pack_create(actor=cast.leader, template="line_review", cut_off=TODAY)
    with pytest.raises(ValidationFailed, match="Unknown section 'gossip'"):
        services.pack_update(actor=cast.leader, pack=pack, sections=[("gossip", "")])


def test_the_leader_orders_sections_and_writes_their_narrative(cast, world):
    pack = _board(cast)
    services.pack_update(
        actor=cast.leader, pack=pack, sections=[("themes", "Customers *want* yen."), ("headline", "We grew.")]
    )
    document = packs.build_document(pack)
    assert [s.key for s in document.sections] == ["themes", "headline"]
    assert document.sections[0].narrative == "Customers *want* yen."
    themes = document.sections[0]
    assert (
        themes.charts[0].categories[0] == "東京 checkout in yen"
        and themes.charts[0].series[0].values[0] == 5.0
    )


def test_the_cut_off_keeps_later_data_out(cast, world):
    pack = services.pack_create(
        actor=cast.leader, template="board", cut_off=date(2031, 2, 12), sections=["themes"]
    )
    (themes,) = packs.build_document(pack).sections
    assert themes.charts[0].series[0].values[0] == 3.0  # items of 10, 11 and 12 February


def test_issuing_freezes_the_files_byte_for_byte(cast, world):
    pack = _board(cast)
    issued = services.pack_issue(actor=cast.leader, pack=pack)
    stored = {fmt: services.pack_file(issued, fmt) for fmt in ("pptx", "pdf", "html", "json")}
    assert {fmt: storage.sha256(data) for fmt, data in stored.items() if fmt != "json"} == {
        fmt: issued.files[fmt]["sha256"] for fmt in ("pptx", "pdf", "html")
    }
    # The data behind it changes: progress, budgets, a renamed objective.
    kr = key_result(world.home_objective)
    kr.current = 95
    kr.save()
    BudgetEnvelope.objects.update(amount=1)
    world.home_objective.title = "Renamed after the meeting"
    world.home_objective.save()
    issued.refresh_from_db()
    assert {fmt: services.pack_file(issued, fmt) for fmt in stored} == stored
    assert "Renamed after the meeting" not in stored["json"].decode()
    live = {s.key: s for s in packs.document_of(_board(cast)).sections}
    assert "Renamed after the meeting" in [row[0].text for row in live["objectives"].tables[0].rows]
    with pytest.raises(Conflict, match="frozen"):
        services.pack_update(actor=cast.leader, pack=issued, title="New")
    with pytest.raises(Conflict):
        services.pack_issue(actor=cast.leader, pack=issued)
    with pytest.raises(Conflict):
        services.pack_delete(actor=cast.leader, pack=issued)


def test_since_the_last_pack_compares_key_figures_with_the_previous_issued_one(cast, world):
    first = services.pack_issue(actor=cast.leader, pack=_board(cast))
    kr = key_result(world.home_objective)
    kr.current = 60
    kr.save()
    second = _board(cast)
    document = packs.build_document(second)
    assert packs.previous_issued(second) == first
    headline = document.sections[0]
    since = headline.tables[0]
    assert since.key == "since_last_pack" and first.title in since.title
    progress = next(f for f in headline.figures if f.key == "objectives.progress")
    assert progress.text == "65%" and progress.change.startswith("+20 pts since")  # (20+70)/2 → (60+70)/2
    issued = services.pack_issue(actor=cast.leader, pack=second)
    assert issued.previous == first


def test_a_failed_issue_leaves_a_draft_and_no_files(cast, world, monkeypatch):
    pack = _board(cast)
    before = set((storage.root() / "packs").glob("*"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.render, "render", broken)
    with pytest.raises(RuntimeError):
        services.pack_issue(actor=cast.leader, pack=pack)
    pack.refresh_from_db()
    assert pack.state == Pack.State.DRAFT and pack.files == {}
    assert set((storage.root() / "packs").glob("*")) == before


def test_sections_of_areas_without_records_say_so_and_org_counts_the_people(cast, world):
    pack = services.pack_create(
        actor=cast.leader, template="board", cut_off=TODAY, sections=["org", "forecast", "market"]
    )
    org, forecast, market = packs.build_document(pack).sections
    assert all(s.empty.startswith("No data yet") and not s.figures for s in (forecast, market))
    assert org.figures and not org.empty.startswith("No data yet")  # the cast's people are the org


def test_share_links_open_issued_packs_until_revoked(cast, world):
    pack = _board(cast)
    with pytest.raises(Conflict, match="Only an issued pack"):
        services.pack_share_link_create(actor=cast.leader, pack=pack, label="Board")
    issued = services.pack_issue(actor=cast.leader, pack=pack)
    with pytest.raises(PermissionDenied):
        services.pack_share_link_create(actor=cast.pm, pack=issued, label="Board")
    link = services.pack_share_link_create(actor=cast.leader, pack=issued, label="Board")
    assert services.shared_pack(link.token)[1] == issued
    services.pack_share_link_revoke(actor=cast.leader, link=link)
    with pytest.raises(Exception, match="revoked"):
        services.shared_pack(link.token)


# The slide template ------------------------------------------------------------------------------


def _template_bytes(title: str = "Company") -> bytes:
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "Example slide to drop"
    prs.core_properties.title = title
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def test_a_company_template_is_validated_and_used_for_the_slides(cast, world):
    with pytest.raises(ValidationFailed, match="not a PowerPoint file"):
        services.slide_template_upload(actor=cast.leader, name="Bad", data=b"%PDF-1.7 not a deck")
    with pytest.raises(ValidationFailed, match="too large"):
        services.slide_template_upload(
            actor=cast.leader, name="Big", data=b"0" * (services.MAX_TEMPLATE_BYTES + 1)
        )
    with pytest.raises(PermissionDenied):
        services.slide_template_upload(actor=cast.pm, name="Mine", data=_template_bytes())
    template = services.slide_template_upload(actor=cast.leader, name="Brand", data=_template_bytes())
    assert template.is_active and template.layouts == 11
    pack = services.pack_create(actor=cast.leader, template="board", cut_off=TODAY, sections=["budget"])
    deck = Presentation(io.BytesIO(services.pack_file(pack, "pptx")))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    assert "Example slide to drop" not in texts  # the template's own slides are left out
    assert deck.slide_width == Presentation().slide_width  # the template's 4:3 size, not Northstar's 16:9


# Digests and reminders ---------------------------------------------------------------------------


def test_digests_go_out_when_due_with_a_one_click_unsubscribe(cast, world, settings):
    settings.NORTHSTAR_BASE_URL = "https://northstar.example"
    cast.stakeholder.email = "sam@example.com"
    cast.stakeholder.save()
    subscription = digests.digest_subscribe(user=cast.stakeholder, frequency="weekly")
    now = timezone.now()
    assert digests.digests_send(now=now) == 1
    assert digests.digests_send(now=now + timedelta(days=1)) == 0  # not due again yet
    (message,) = mail.outbox
    unsubscribe = f"https://northstar.example/reports/unsubscribe/{subscription.token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Decisions" in message.body and unsubscribe in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html" and unsubscribe in html
    digests.digest_unsubscribe(token=subscription.token)
    assert digests.digests_send(now=now + timedelta(days=8)) == 0
    assert not DigestSubscription.objects.get(pk=subscription.pk).is_active


def test_a_digest_needs_an_email_address(cast):
    with pytest.raises(ValidationFailed, match="no email address"):
        digests.digest_subscribe(user=factories.make_user(email=""), frequency="monthly")


def test_reminders_go_to_lines_that_owe_an_update_once_a_week(cast, world):
    due = world.period.end - timedelta(days=10)
    now = timezone.now()
    sent = digests.status_reminders_send(today=due, now=now)
    directors = {cast.home_line.director.email, cast.away_line.director.email}
    assert sent == 2 and {m.to[0] for m in mail.outbox} == directors
    assert digests.status_reminders_send(today=due, now=now + timedelta(days=2)) == 0
    services.status_update_create(
        actor=cast.leader, line=cast.away_line, period=world.period, status="on_track", today=TODAY
    )
    assert digests.status_reminders_send(today=due, now=now + timedelta(days=8)) == 1
    assert StatusReminder.objects.count() == 2
    assert (
        digests.status_reminders_send(today=world.period.start + timedelta(days=3), now=now) == 0
    )  # not due


def test_the_mail_job_sends_due_digests_and_reminders(cast, world, django_capture_on_commit_callbacks):
    from northstar.core.jobs import job_enqueue
    from northstar.core.models import Job

    cast.leader.email = "lea@example.com"
    cast.leader.save()
    digests.digest_subscribe(user=cast.leader, frequency="weekly")
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(task="northstar.reports.tasks.mail_send", actor=cast.leader, title="Send digests")
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.SUCCEEDED and job.result["digests"] == 1
    assert mail.outbox[0].to == ["lea@example.com"]
