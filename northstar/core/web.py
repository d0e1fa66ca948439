"""What every view shares: turning service refusals into pages, pagination, HTMX fragments, form flow.

Views stay thin: parse, call one service or selector, render. Services refuse with an
`ApplicationError`; the helpers here turn a refusal into the page (or HTMX fragment) a person can act on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NoReturn, cast

import plotly
import plotly.offline
from django.conf import settings
from django.contrib import messages
from django.core import exceptions as django_exceptions
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from northstar.core import concurrency
from northstar.core.concurrency import StaleRecord, Versioned
from northstar.core.errors import ApplicationError, NotFound
from northstar.core.errors import PermissionDenied as Refused
from northstar.core.models import User


def user_of(request: HttpRequest) -> User:
    """The signed-in user: views run behind `login_required`, API calls past authentication (which sets
    `request.user` for a token too)."""
    return cast(User, request.user)


def refuse(exc: ApplicationError) -> NoReturn:
    """Re-raise a service refusal as the matching Django error, so the friendly 403/404 pages show it."""
    if isinstance(exc, Refused):
        raise django_exceptions.PermissionDenied(exc.message) from exc
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    raise exc


def require(allowed: bool, message: str) -> None:
    """Refuse a page the user cannot use, instead of showing a form they could never submit."""
    if not allowed:
        raise django_exceptions.PermissionDenied(message)


#: A message meant for one section of the page carries `at:<section id>` in its tags: the page shows it
#: in that section (where a redirect to `#<section id>` lands the browser), not in the flash at the top.
AT = "at:"


def flash(request: HttpRequest, level: int, message: str, *, at: str = "") -> None:
    """A message for the next page; with `at`, shown inside the section with that id (`_flash_at.html`)."""
    messages.add_message(request, level, message, extra_tags=f"{AT}{at}" if at else "")


READ_ONLY = "Your role is read-only: ask a product leader to make this change."


def fetch(getter: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a `get_or_404`-style reader, turning NotFound into the 404 page."""
    try:
        return getter(*args, **kwargs)
    except ApplicationError as exc:
        refuse(exc)


def form_refused(
    request: HttpRequest, template: str, context: dict[str, Any], form: Form, exc: ApplicationError
) -> HttpResponse:
    """Show a service's refusal at the top of the form, with the status code the service chose."""
    form.add_error(None, exc.message)
    return render(request, template, {**context, "form": form}, status=exc.status_code)


def invalid_form(request: HttpRequest, template: str, context: dict[str, Any], form: Form) -> HttpResponse:
    return render(request, template, {**context, "form": form}, status=422)


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """One page of a list; a bad or out-of-range page number shows the nearest real page."""
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def is_fragment_request(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_list(request: HttpRequest, page: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    """Whole page for a browser, only the results for HTMX; caches must keep the two apart."""
    response = render(request, fragment if is_fragment_request(request) else page, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


FORM_TEMPLATE = "_form_page.html"


def edit_page(
    request: HttpRequest,
    *,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], str],
    context: dict[str, Any],
    success: str,
    template: str = FORM_TEMPLATE,
    record: Any = None,
    success_at: str = "",
) -> HttpResponse:
    """The create/edit flow every form page shares: show, parse, call one service, redirect or explain.

    `save` gets the form's service arguments and calls the service; a refusal is shown in the form with
    the service's status code (403, 409, 422...), an invalid form with 422. With `record` (the record
    being edited) the page carries its version: when someone else saved it meanwhile, the form comes
    back (409) with both values side by side and the new version, so saving again applies yours.
    `success_at` names the section of the next page where the confirmation belongs (see `flash`).
    """
    version = getattr(record, "version", None) if isinstance(record, Versioned) else None
    if request.method == "POST":
        if version is not None:
            concurrency.stale_from_request(record, request.POST.get("version"))
        if not form.is_valid():
            return invalid_form(request, template, {**context, "record_version": version}, form)
        try:
            saved = save(form.service_data())
        except StaleRecord as exc:
            return conflict_page(request, template, context, form, exc)
        except ApplicationError as exc:
            return form_refused(request, template, {**context, "record_version": version}, form, exc)
        flash(request, messages.SUCCESS, success.format(record=saved), at=success_at)
        return redirect(done(saved))
    return render(request, template, {**context, "form": form, "record_version": version})


def conflict_page(
    request: HttpRequest, template: str, context: dict[str, Any], form: Form, exc: StaleRecord
) -> HttpResponse:
    """Someone saved the record while this person edited it: show theirs and yours, keep yours in the
    form, and carry the new version so that saving again knowingly applies yours."""
    detail = exc.detail or {}
    who = detail.get("changed_by") or "Someone else"
    form.add_error(
        None,
        f"{who} saved a change while you were editing, so nothing of yours was saved yet. "
        "Compare below: Save applies your values over theirs; Cancel keeps theirs.",
    )
    conflict = {"fields": detail.get("fields", []), "changed_by": who}
    if "version" in form.fields and isinstance(form.data, QueryDict):  # a form with its own version field
        data = form.data.copy()
        data["version"] = str(detail.get("current_version"))
        form.data = data
    return render(
        request,
        template,
        {**context, "form": form, "conflict": conflict, "record_version": detail.get("current_version")},
        status=409,
    )


#: plotly.js's partial bundle of the traces Northstar draws (scatter, bar, pie): about a fifth of the full
#: bundle. `make install` installs it from the npm package of the same plotly.js version as the plotly
#: Python package ships; without it, the full bundle from that package is served.
PLOTLY_BASIC = Path(sys.prefix) / "share" / "northstar" / "node_modules" / "plotly.js-basic-dist-min"


@cache
def plotly_bundle() -> tuple[str, Path | None]:
    """("basic", its file) when the partial bundle of the right version is installed, else ("full", None)."""
    try:
        meta = json.loads((PLOTLY_BASIC / "package.json").read_text())
    except (OSError, ValueError):
        return "full", None
    path = PLOTLY_BASIC / "plotly-basic.min.js"
    if meta.get("version") != plotly.offline.get_plotlyjs_version() or not path.is_file():
        return "full", None
    return "basic", path


def plotly_url() -> str:
    """Where chart pages load plotly.js from; versioned (and named by bundle) so it is cached for a year."""
    bundle, _ = plotly_bundle()
    return reverse("core:plotly_js") + f"?v={plotly.offline.get_plotlyjs_version()}-{bundle}"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` address a form posted, if it stays on this site; else `fallback`.

    Browsers read `/\\evil.example` as `//evil.example`, so a prefix check is not enough.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
