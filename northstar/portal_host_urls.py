"""Routes for requests on the portal's own host name (e.g. feedback.example.com): the portal at `/`.

The rest of the app stays reachable under its usual paths (sign-in, the API the widget uses), except
its home page, whose address the portal takes. `PortalHostMiddleware` picks this module.
"""

from django.urls import URLPattern, URLResolver, include, path

from northstar import urls as app_urls


def _not_portal(pattern: URLPattern | URLResolver) -> bool:
    return getattr(pattern, "namespace", None) != "portal"


urlpatterns = [
    path("", include("northstar.feedback.portal_urls")),
    *[p for p in app_urls.urlpatterns if _not_portal(p)],
]

handler403 = app_urls.handler403
handler404 = app_urls.handler404
