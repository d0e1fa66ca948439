"""Sign-in security pages: your own two-factor settings, and the admins' list of logins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from northstar.core import selectors, sign_on, two_factor
from northstar.core.errors import ApplicationError
from northstar.core.forms import CodeForm
from northstar.core.models import User
from northstar.core.services import get_or_404
from northstar.core.web import fetch, paginate, refuse
from northstar.org import access

SECURITY_TEMPLATE = "core/security.html"
#: action -> (template variable, form prefix)
FORMS = {
    "confirm": ("confirm_form", "confirm"),
    "renew": ("renew_form", "renew"),
    "off": ("off_form", "off"),
}


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def _security_context(user: User, **extra: Any) -> dict[str, Any]:
    enrolled = two_factor.is_enrolled(user)
    context = {
        "signed_on": sign_on.is_signed_on(user),
        "enrolled": enrolled,
        "pending": None if enrolled else two_factor.two_factor_pending(user=user),
        "codes_left": two_factor.recovery_codes_left(user) if enrolled else 0,
        # One form per action, each with its own field ids (the enrolled page shows two at once).
        **{name: CodeForm(prefix=prefix) for name, prefix in FORMS.values()},
        **extra,
    }
    context["confirm_form"].fields["code"].help_text = "The 6 digits the app shows for Northstar now."
    return context


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Your sign-in: two-factor on or off, the QR code while setting it up, recovery codes left."""
    return render(request, SECURITY_TEMPLATE, _security_context(_me(request)))


def _code_action(request: HttpRequest, which: str, action: Any, success: str) -> HttpResponse:
    """Run a two-factor change proven by a code; show new recovery codes once, or the refusal."""
    name, prefix = FORMS[which]
    form = CodeForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return render(request, SECURITY_TEMPLATE, _security_context(_me(request), **{name: form}), status=422)
    try:
        codes = action(user=_me(request), code=form.cleaned_data["code"])
    except ApplicationError as exc:
        form.add_error("code", exc.message)
        context = _security_context(_me(request), **{name: form})
        return render(request, SECURITY_TEMPLATE, context, status=exc.status_code)
    messages.success(request, success)
    if codes:
        return render(request, SECURITY_TEMPLATE, _security_context(_me(request), recovery_codes=codes))
    return redirect("core:security")


@login_required
@require_POST
def two_factor_start(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.two_factor_enrol_start(user=_me(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("core:security")


@login_required
@require_POST
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    return _code_action(
        request,
        "confirm",
        two_factor.two_factor_enrol_confirm,
        "Two-factor sign-in is on. Keep your recovery codes somewhere safe.",
    )


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    return _code_action(
        request,
        "renew",
        two_factor.recovery_codes_renew,
        "New recovery codes made: the old ones no longer work.",
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    return _code_action(request, "off", two_factor.two_factor_disable, "Two-factor sign-in is off.")


@login_required
def logins(request: HttpRequest) -> HttpResponse:
    """Admins: every login, how it signs in (password or single sign-on) and whether it has two factors."""
    try:
        access.require_admin(_me(request))
    except ApplicationError as exc:
        refuse(exc)
    page = paginate(request, selectors.login_list())
    return render(request, "core/logins.html", {"page_obj": page})


@login_required
@require_POST
def two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Admins: take two-factor sign-in off someone who lost their phone and their recovery codes."""
    user = fetch(get_or_404, User, user_id)
    try:
        two_factor.two_factor_reset(actor=_me(request), user=user)
    except ApplicationError as exc:
        refuse(exc)
    messages.success(
        request, f"Two-factor sign-in reset for {user.username}: a password alone signs them in now."
    )
    return redirect("core:logins")
