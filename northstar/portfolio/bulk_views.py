"""Acting on many initiatives from the list: move them to a stage (each through its gates and
approvals) or archive them (after a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import archive
from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.web import READ_ONLY, refuse, require, safe_next, user_of
from northstar.portfolio import services
from northstar.portfolio.models import Initiative, Stage


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The list's "with the selected" actions."""
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    ids = request.POST.getlist("ids")
    action = request.POST.get("action", "")
    back = safe_next(request, reverse("portfolio:list"))
    try:
        if action == "move":
            results = services.initiatives_restage(
                actor=user,
                ids=ids,
                stage=request.POST.get("stage", ""),
                rationale=request.POST.get("rationale", ""),
            )
            counts = {k: sum(1 for r in results if r.outcome == k) for k in ("moved", "waiting", "refused")}
            return render(
                request,
                "portfolio/bulk_result.html",
                {
                    "results": results,
                    "counts": counts,
                    "stage": Stage(request.POST["stage"]).label,
                    "back": back,
                },
            )
        if action == "archive":
            kind = archive.kind_get("initiative")
            if request.POST.get("confirm") != "yes":
                chosen = list(
                    Initiative.objects.filter(pk__in=[i for i in ids if i.isdigit()]).order_by("title")[:500]
                )
                if not chosen:
                    raise ValidationFailed("Choose the initiatives to archive.")
                return render(request, "portfolio/bulk_archive.html", {"chosen": chosen, "back": back})
            done = archive.records_archive(actor=user, kind=kind, ids=ids)
            plural = "s" if len(done) != 1 else ""
            messages.success(
                request, f"Archived {len(done)} initiative{plural}; restore them from the archive."
            )
            return redirect(back)
        raise ValidationFailed("Choose what to do with the selected initiatives.")
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(back)
