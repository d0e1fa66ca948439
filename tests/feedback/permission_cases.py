"""Feedback and public-portal routes in the permission matrix (see tests/permissions.py).

Reading is for every signed-in role; adding and triaging feedback, themes and moderation are for
writers (stakeholders get 403); boards and widget sites are for leaders. The portal is public.
"""

from __future__ import annotations

from io import BytesIO

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.feedback import factories as f
from tests.permissions import (
    DONE,
    LEADERS_ACTION,
    LEADERS_PAGE,
    READ,
    WRITERS_ACTION,
    WRITERS_PAGE,
    Case,
    _expect,
)

POST_ONLY = _expect(stakeholder=405, pm=405, leader=405, admin=405)
PUBLIC = _expect(anonymous=200)
PUBLIC_ACTION = _expect(anonymous=DONE, stakeholder=DONE, pm=DONE, leader=DONE, admin=DONE)


def _item(cast, user):
    return [f.make_item("Exports to CSV keep timing out").pk]


def _theme(cast, user):
    return [f.make_theme(items=3).pk]


def _customer(cast, user):
    return [f.make_customer().pk]


def _upload(cast, user):
    from northstar.feedback.imports import upload_save

    owner = user if user is not None and user.can_write else cast.admin
    upload = SimpleUploadedFile("f.csv", b"text,email\nMore exports please,a@example.com\n")
    return [upload_save(actor=owner, upload=upload)]


def _job(cast, user):
    return [f.make_job(user or cast.admin).pk]


def _pending(cast, user):
    return ["post", f.make_post(moderation="pending").pk]


def _approved_post(cast, user):
    return [f.make_post().pk]


def _vote_link(cast, user):
    """The token of a visitor's vote waiting for its emailed link to be opened."""
    from northstar.feedback import portal_services
    from northstar.feedback.models import Vote

    vote = Vote.objects.create(post=f.make_post(), voter="email:v@example.com", email="v@example.com")
    return [portal_services.vote_token(vote)]


def _unsubscribe_link(cast, user):
    """The token of an unsubscribe link in a status email."""
    from northstar.feedback import portal_subscriptions

    return [portal_subscriptions.unsubscribe_token(f.make_post(), "v@example.com")]


def _logo(cast, user):
    """The address of an uploaded portal logo."""
    from northstar.feedback.models import PortalBranding, PortalLogo

    PortalLogo.objects.update_or_create(pk=1, defaults={"data": b"\x89PNG\r\n\x1a\n"})
    PortalBranding.objects.update_or_create(pk=1, defaults={"logo_type": "image/png", "logo_sha": "abc"})
    cache.clear()
    return ["abc"]


def _widget_site(cast, user):
    from northstar.feedback.models import WidgetSite

    return [WidgetSite.objects.create(name="Rotated", key=f"ns_w_rotate_{user.pk if user else 0}").pk]


def _sso_query(cast, user):
    """A valid sign-in link of a site whose app signs its users' tokens."""
    import time

    import jwt

    from northstar.feedback.models import WidgetSite

    site = WidgetSite.objects.create(name="App", key=f"ns_w_{time.monotonic_ns()}", sso_secret="s" * 43)
    token = jwt.encode(
        {"email": "a@b.example", "exp": int(time.time()) + 60}, site.sso_secret, algorithm="HS256"
    )
    return {"site": site.key, "token": token}


def _entry(cast, user):
    return [f.make_entry(posts=(f.make_post(),)).pk]


def _link(cast, user):
    from northstar.feedback.models import EvidenceLink

    item = f.make_item("Need SSO")
    return [EvidenceLink.objects.create(item=item, initiative=cast.home_initiative).pk]


def _board_slug(cast, user):
    return [f.make_board(name="Ideas").slug]


def _fresh(data):
    """Visitor writes are rate-limited per client; each matrix row starts from a clean slate."""

    def build(cast, user):
        cache.clear()
        return data(cast, user)

    return build


WEB_CASES = [
    Case("feedback:inbox", "get", READ),
    Case("feedback:item_create", "get", WRITERS_PAGE),
    Case(
        "feedback:item_create",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {"text": "Dark mode", "source": "manual"},
    ),
    Case("feedback:item_detail", "get", READ, args=_item),
    Case("feedback:item_process", "get", POST_ONLY, args=_item),
    Case("feedback:item_process", "post", WRITERS_ACTION, args=_item),
    Case(
        "feedback:item_link",
        "post",
        WRITERS_ACTION,
        args=_item,
        data=lambda c, u: {"initiative": c.away_initiative.pk},
    ),
    Case(
        "feedback:item_idea", "post", WRITERS_ACTION, args=_item, data=lambda c, u: {"title": "CSV exports"}
    ),
    Case("feedback:link_delete", "post", WRITERS_ACTION, args=_link),
    Case("feedback:import_upload", "get", WRITERS_PAGE),
    Case(
        "feedback:import_upload",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {
            "file": SimpleUploadedFile("x.csv", BytesIO(b"text\nhello\n").read()),
            "preset": "generic",
        },
    ),
    Case("feedback:import_map", "get", WRITERS_PAGE, args=_upload),
    Case("feedback:import_map", "post", WRITERS_ACTION, args=_upload, data=lambda c, u: {"text": "text"}),
    Case("feedback:import_job", "get", READ, args=_job),
    Case("feedback:customers", "get", READ),
    Case("feedback:customer_create", "get", WRITERS_PAGE),
    Case(
        "feedback:customer_create",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {
            "name": f"Acme {u.pk if u else 0}",
            "segment": "smb",
            "annual_revenue": "100",
            "currency": "EUR",
        },
    ),
    Case("feedback:customer_detail", "get", READ, args=_customer),
    Case("feedback:customer_edit", "get", WRITERS_PAGE, args=_customer),
    Case(
        "feedback:customer_edit",
        "post",
        WRITERS_ACTION,
        args=_customer,
        data=lambda c, u: {
            "name": "Renamed",
            "segment": "enterprise",
            "annual_revenue": "5",
            "currency": "USD",
        },
    ),
    Case("feedback:themes", "get", READ),
    Case("feedback:themes_recluster", "post", WRITERS_ACTION),
    Case("feedback:theme_detail", "get", READ, args=_theme),
    Case("feedback:theme_rename", "post", WRITERS_ACTION, args=_theme, data=lambda c, u: {"name": "Exports"}),
    Case(
        "feedback:theme_merge",
        "post",
        WRITERS_ACTION,
        args=_theme,
        data=lambda c, u: {"others": [_theme(c, u)[0]]},
    ),
    Case("feedback:theme_split", "post", WRITERS_ACTION, args=_theme, data=lambda c, u: {"parts": "2"}),
    Case("feedback:theme_pin", "post", WRITERS_ACTION, args=_theme, data=lambda c, u: {"pinned": "1"}),
    Case("feedback:demand", "get", READ),
    Case("feedback:portal_admin", "get", READ),
    Case(
        "feedback:moderate", "post", WRITERS_ACTION, args=_pending, data=lambda c, u: {"decision": "approved"}
    ),
    Case(
        "feedback:board_create",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"name": f"Board {u.pk if u else 0}"},
    ),
    Case("feedback:widget_create", "post", LEADERS_ACTION, data=lambda c, u: {"name": "App"}),
    Case("feedback:widget_secret_rotate", "post", LEADERS_ACTION, args=_widget_site),
    Case("feedback:portal_branding", "get", LEADERS_PAGE),
    Case("feedback:portal_branding", "post", LEADERS_ACTION, data=lambda c, u: {"company_name": "Acme"}),
    Case("feedback:post_manage", "get", READ, args=_approved_post),
    Case(
        "feedback:post_manage",
        "post",
        WRITERS_ACTION,
        args=_approved_post,
        data=lambda c, u: {"initiative": str(c.home_initiative.pk), "status": "planned"},
    ),
    Case(
        "feedback:post_merge",
        "post",
        WRITERS_ACTION,
        args=_approved_post,
        data=lambda c, u: {"into": f.make_post().pk},
    ),
    Case("feedback:changelog_create", "get", WRITERS_PAGE),
    Case("feedback:changelog_create", "post", WRITERS_ACTION, data=lambda c, u: {"title": "June release"}),
    Case("feedback:changelog_publish", "post", WRITERS_ACTION, args=_entry),
    # the public portal
    Case("portal:home", "get", PUBLIC),
    Case("portal:board", "get", PUBLIC, args=_board_slug),
    Case("portal:similar", "get", PUBLIC, args=_board_slug, data=lambda c, u: {"title": "dark mode"}),
    Case(
        "portal:submit",
        "post",
        PUBLIC_ACTION,
        args=_board_slug,
        data=_fresh(lambda c, u: {"title": "Offline mode", "author_email": "v@example.com"}),
    ),
    Case("portal:post", "get", PUBLIC, args=_approved_post),
    Case(
        "portal:vote",
        "post",
        PUBLIC_ACTION,
        args=_approved_post,
        data=_fresh(lambda c, u: {"email": "v@example.com"}),
    ),
    Case("portal:vote_confirm", "get", PUBLIC, args=_vote_link),
    Case("portal:vote_confirm", "post", PUBLIC_ACTION, args=_vote_link),
    Case(
        "portal:comment",
        "post",
        PUBLIC_ACTION,
        args=_approved_post,
        data=_fresh(lambda c, u: {"body": "Yes please", "author_email": "v@example.com"}),
    ),
    Case("portal:follow", "post", PUBLIC_ACTION, args=_approved_post, data=lambda c, u: {"follow": "1"}),
    Case("portal:unsubscribe", "get", PUBLIC, args=_unsubscribe_link),
    Case("portal:unsubscribe", "post", PUBLIC, args=_unsubscribe_link),
    Case("portal:logo", "get", PUBLIC, args=_logo),
    Case("portal:sso", "get", PUBLIC_ACTION, data=_sso_query),
    Case("portal:sso_sign_out", "post", PUBLIC_ACTION),
    Case("portal:roadmap", "get", PUBLIC),
    Case("portal:changelog", "get", PUBLIC),
    # many at once: "triage" shows the choices; linking to another line's idea is that line's to do
    Case("feedback:bulk", "get", POST_ONLY),
    Case(
        "feedback:bulk",
        "post",
        WRITERS_PAGE,
        data=lambda c, u: {"ids": _item(c, u), "action": "triage"},
        label="triage",
    ),
    Case(
        "feedback:bulk",
        "post",
        WRITERS_ACTION,
        data=lambda c, u: {"ids": _item(c, u), "action": "link", "initiative": c.home_initiative.pk},
        label="link home",
    ),
    Case(
        "feedback:bulk",
        "post",
        LEADERS_ACTION,
        data=lambda c, u: {"ids": _item(c, u), "action": "link", "initiative": c.away_initiative.pk},
        label="link away",
    ),
]
