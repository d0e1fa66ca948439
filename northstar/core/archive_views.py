"""Archive pages: confirm archiving or deleting a record, restore it, and the archive itself (what was
set aside, by kind, with restore and delete). The rules are the records' own (`core.archive`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import archive
from northstar.core.errors import ApplicationError
from northstar.core.web import READ_ONLY, fetch, paginate, refuse, require, safe_next, user_of


def _record(kind_key: str, pk: int) -> tuple[archive.Kind, Any]:
    kind = fetch(archive.kind_get, kind_key)
    return kind, fetch(archive.record_get, kind, pk)


def _act(request: HttpRequest, action: Any, done: str, success: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(safe_next(request, done))
    messages.success(request, success)
    return redirect(done)


def _confirm_page(request: HttpRequest, kind: archive.Kind, record: Any, action: str) -> HttpResponse:
    context = {"kind": kind, "record": record, "action": action, "title": kind.title(record)}
    return render(request, "core/archive_confirm.html", {**context, "kind_url": kind.url(record)})


@login_required
def archive_confirm(request: HttpRequest, kind_key: str, pk: int) -> HttpResponse:
    """Ask before archiving (GET), archive (POST): the record leaves lists and plans, its page stays."""
    kind, record = _record(kind_key, pk)
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    require(kind.can_change(user, record), f"You cannot change this {kind.label}.")
    if request.method == "POST":
        return _act(
            request,
            lambda: archive.record_archive(actor=user, kind=kind, record=record),
            kind.url(record),
            f"Archived “{kind.title(record)}”: it is out of lists and plans; restore it from here or from "
            "the archive.",
        )
    return _confirm_page(request, kind, record, "archive")


@login_required
@require_POST
def restore(request: HttpRequest, kind_key: str, pk: int) -> HttpResponse:
    kind, record = _record(kind_key, pk)
    return _act(
        request,
        lambda: archive.record_restore(actor=user_of(request), kind=kind, record=record),
        safe_next(request, kind.url(record)),
        f"Restored “{kind.title(record)}”: it is back in lists and plans.",
    )


@login_required
def delete_confirm(request: HttpRequest, kind_key: str, pk: int) -> HttpResponse:
    """Ask before deleting for good (GET), delete (POST, with the box ticked)."""
    kind, record = _record(kind_key, pk)
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    require(kind.can_change(user, record), f"You cannot change this {kind.label}.")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm: deleting cannot be undone.")
            return redirect(reverse("core:archive_delete", args=[kind.key, record.pk]))
        title = kind.title(record)
        return _act(
            request,
            lambda: archive.record_delete(actor=user, kind=kind, record=record),
            reverse("core:archive") + f"?kind={kind.key}",
            f"Deleted “{title}” for good; the audit log keeps what it was.",
        )
    return _confirm_page(request, kind, record, "delete")


@login_required
def archive_list(request: HttpRequest) -> HttpResponse:
    """What was archived, one kind at a time, newest first, with restore and delete."""
    kinds = archive.kinds()
    chosen = next((k for k in kinds if k.key == request.GET.get("kind")), kinds[0])
    page = paginate(request, archive.archived(chosen))
    user = user_of(request)
    rows = [(record, chosen.title(record), chosen.can_change(user, record)) for record in page]
    return render(
        request, "core/archive.html", {"kinds": kinds, "kind": chosen, "page_obj": page, "rows": rows}
    )
