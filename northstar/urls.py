"""Top-level routes: the web UI per app, and the REST API under /api/v1/."""

from django.urls import include, path

from northstar.api import api

urlpatterns = [
    path("", include("northstar.core.urls")),
    path("org/", include("northstar.org.urls")),
    path("portfolio/", include("northstar.portfolio.urls")),
    path("strategy/", include("northstar.strategy.urls")),
    path("feedback/", include("northstar.feedback.urls")),
    path("portal/", include("northstar.feedback.portal_urls")),
    path("roadmap/", include("northstar.planning.urls")),
    path("people/", include("northstar.people.urls")),
    path("finance/", include("northstar.finance.urls")),
    path("delivery/", include("northstar.delivery.urls")),
    path("analytics/", include("northstar.analytics.urls")),
    path("market/", include("northstar.market.urls")),
    path("reports/", include("northstar.reports.urls")),
    path("home/", include("northstar.home.urls")),
    path("api/v1/", api.urls),
]

handler403 = "northstar.core.views.permission_denied"
handler404 = "northstar.core.views.not_found"
