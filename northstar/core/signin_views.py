"""Signing in and out: password (with a second factor once enrolled) and single sign-on.

The password step never signs a two-factor account in by itself: it parks the account in the session
for a few minutes while the code is asked for. Every wrong code counts as a failed sign-in for
django-axes, so code guessing meets the same lockout as password guessing.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from northstar.core import sign_on, two_factor
from northstar.core.errors import ApplicationError
from northstar.core.forms import CodeForm, LoginForm
from northstar.core.models import User

logger = logging.getLogger(__name__)

#: Session key of a password sign-in waiting for its second factor, and how long it may wait.
PENDING = "two_factor_pending"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            sso_enabled=sign_on.sso_enabled(),
            sso_name=settings.SSO_NAME,
            local_login=settings.LOCAL_LOGIN,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.LOCAL_LOGIN == "off":  # refused before any password is looked at
            context = self.get_context_data(refused="Password sign-in is switched off here.")
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if two_factor.is_enrolled(user):
            self.request.session[PENDING] = {
                "user_id": user.pk,
                "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("core:login_verify")
        return super().form_valid(form)


def _locked_out(request: HttpRequest, credentials: dict[str, Any]) -> HttpResponse:
    """Let django-axes' middleware answer with its lockout page, and forget the waiting sign-in."""
    request.session.pop(PENDING, None)
    request.axes_locked_out = True  # type: ignore[attr-defined]
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return HttpResponse("Too many sign-in attempts.", status=429)


def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in: a code from the authenticator app or a recovery code."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        if pending:
            request.session.pop(PENDING, None)
            messages.info(request, "That sign-in waited too long for its code: sign in again.")
        return redirect("core:login")
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("core:login")
    form = CodeForm(request.POST or None, autofocus=True)
    status = 200
    if request.method == "POST":
        credentials = {"username": user.username}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked_out(request, credentials)
        if form.is_valid():
            try:
                two_factor.two_factor_verify(user=user, code=form.cleaned_data["code"])
            except ApplicationError as exc:
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    return _locked_out(request, credentials)
                form.add_error("code", exc.message)
                status = exc.status_code
            else:
                request.session.pop(PENDING, None)
                auth.login(request, user, backend=pending["backend"])
                return redirect(pending["next"])
        else:
            status = 422
    return render(request, "core/login_verify.html", {"form": form, "username": user.username}, status=status)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, so a link elsewhere cannot sign someone out).

    After a single sign-on the provider is asked to end its session too, and sends the browser back
    to the sign-in page.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        provider_logout = sign_on.provider_logout_url(request, id_token=id_token)
        return redirect(provider_logout) if provider_logout else response


class SignOnStartView(OIDCAuthenticationRequestView):
    """Send the browser to the identity provider (state, nonce and PKCE challenge kept in the session)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not sign_on.sso_enabled():
            raise Http404("Single sign-on is not set up on this Northstar.")
        return super().get(request)


class SignOnCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; any refusal lands on the sign-in page with a reason."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not sign_on.sso_enabled():
            raise Http404("Single sign-on is not set up on this Northstar.")
        answered_by = request.GET.get("iss")
        if answered_by and answered_by != settings.SSO_ISSUER:  # RFC 9207: a mixed-up provider
            logger.warning("Single sign-on answer from unexpected issuer %r", answered_by)
            return self._refuse("That answer came from another identity provider, so it was refused.")
        if request.GET.get("error"):
            # Forget the state, so the same answer cannot be replayed.
            request.session.get("oidc_states", {}).pop(request.GET.get("state", ""), None)
            request.session.modified = True
            reason = request.GET.get("error_description") or request.GET["error"]
            return self._refuse(f"{settings.SSO_NAME} did not sign you in: {reason}")
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("Single sign-on refused: %s", exc)
            return self._refuse(
                "This sign-in could not be verified, so it was refused. Start again from this page."
            )
        except requests.RequestException as exc:
            logger.warning("Single sign-on: the identity provider failed: %s", exc)
            return self._refuse(f"{settings.SSO_NAME} did not complete the sign-in. Try again in a moment.")

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "sso_refusal", None)
        return self._refuse(reason or "Single sign-on did not complete. Start again from this page.")

    def _refuse(self, message: str) -> HttpResponse:
        messages.error(self.request, message)
        return redirect(reverse("core:login"))
