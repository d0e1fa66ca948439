"""Acting on many feedback items from the inbox: triage them into an idea (an existing one, or a new
one made from them) or archive them (after a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from northstar.core import archive
from northstar.core.errors import ApplicationError, ValidationFailed
from northstar.core.services import get_or_404
from northstar.core.web import READ_ONLY, refuse, require, safe_next, user_of
from northstar.feedback import services
from northstar.feedback.forms import IdeaForm, LinkForm
from northstar.portfolio.models import Initiative


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """The inbox's "with the selected" actions: `triage` shows the choices, `link` and `idea` do it."""
    user = user_of(request)
    require(user.can_write, READ_ONLY)
    back = safe_next(request, reverse("feedback:inbox"))
    action = request.POST.get("action", "")
    try:
        items = services.items_for(request.POST.getlist("ids"))
        if action == "link":
            initiative = get_or_404(Initiative, request.POST.get("initiative"))
            linked = services.feedback_triage_many(actor=user, items=items, initiative=initiative)
            messages.success(
                request, f"{linked} item{'s' if linked != 1 else ''} now evidence for “{initiative}”."
            )
            return redirect(reverse("portfolio:detail", args=[initiative.pk]) + "#demand")
        if action == "idea":
            form = IdeaForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed("Give the new idea a title (and, if you know it, its product).")
            product = form.cleaned_data["product"]
            idea = services.idea_from_feedback_many(
                actor=user,
                items=items,
                title=form.cleaned_data["title"],
                product_id=product.pk if product else None,
            )
            messages.success(
                request, f"New idea “{idea}” with {len(items)} feedback item(s) as its evidence."
            )
            return redirect("portfolio:detail", initiative_id=idea.pk)
        if action == "archive" and request.POST.get("confirm") == "yes":
            done = archive.records_archive(
                actor=user, kind=archive.kind_get("feedback"), ids=[i.pk for i in items]
            )
            messages.success(
                request, f"Archived {len(done)} feedback item(s); restore them from the archive."
            )
            return redirect(back)
        if action not in ("triage", "archive"):
            raise ValidationFailed("Choose what to do with the selected feedback.")
    except ApplicationError as exc:
        if exc.status_code in (403, 404):
            refuse(exc)
        messages.error(request, exc.message)
        return redirect(back)
    return render(
        request,
        "feedback/bulk.html",
        {
            "items": items,
            "action": action,
            "back": back,
            "link_form": LinkForm(auto_id="bulk-%s"),
            "idea_form": IdeaForm(),
        },
    )
