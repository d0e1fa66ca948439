"""Core pages: sign-in, home, audit log, API tokens, and the error pages."""

from django.http import HttpRequest, HttpResponse


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("Forbidden", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponse("Not found", status=404)
