"""What every view shares: turning service refusals into pages, pagination, HTMX fragments, form flow.

Views stay thin: parse, call one service or selector, render. Services refuse with an
`ApplicationError`; the helpers here turn a refusal into the page (or HTMX fragment) a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, cast

import plotly
from django.conf import settings
from django.contrib import messages
from django.core import exceptions as django_exceptions
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from northstar.core.errors import ApplicationError, NotFound
from northstar.core.errors import PermissionDenied as Refused
from northstar.core.models import User


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view behind `login_required` (or an API call past authentication)."""
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
    return bool(htmx) and not htmx.history_restore_request


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
) -> HttpResponse:
    """The create/edit flow every form page shares: show, parse, call one service, redirect or explain.

    `save` gets the form's service arguments and calls the service; a refusal is shown in the form with
    the service's status code (403, 409, 422...), an invalid form with 422.
    """
    if request.method == "POST":
        if not form.is_valid():
            return invalid_form(request, template, context, form)
        try:
            record = save(form.service_data())
        except ApplicationError as exc:
            return form_refused(request, template, context, form, exc)
        messages.success(request, success.format(record=record))
        return redirect(done(record))
    return render(request, template, {**context, "form": form})


def plotly_url() -> str:
    """Where chart pages load plotly.js from; versioned so it can be cached for a year."""
    return reverse("core:plotly_js") + f"?v={plotly.__version__}"


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
