"""Home pages: the cockpit lives at core:home (core.views.home); this marks it as seen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from northstar.core.web import user_of
from northstar.home import services


@login_required
@require_POST
def seen(request: HttpRequest) -> HttpResponse:
    """Everything on home up to now is seen: "what changed" starts again from here."""
    services.visit_mark_seen(user=user_of(request))
    messages.success(request, "Marked as seen: home now shows what changes from here on.")
    return redirect("core:home")
