"""Web routes for analytics."""

from django.urls import path

from northstar.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("sites/new/", views.site_create, name="site_create"),
    path("sites/<int:site_id>/", views.site_detail, name="site_detail"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("sites/<int:site_id>/import/", views.site_import, name="site_import"),
    path("sites/<int:site_id>/friction/", views.friction, name="friction"),
    path("sites/<int:site_id>/person/", views.person, name="person"),
    path("sites/<int:site_id>/funnels/new/", views.funnel_create, name="funnel_create"),
    path("sites/<int:site_id>/evidence/", views.evidence_link, name="evidence_link"),
    path("sites/<int:site_id>/kpi/", views.kpi_publish, name="kpi_publish"),
    path("funnels/<int:funnel_id>/", views.funnel_detail, name="funnel_detail"),
    path("funnels/<int:funnel_id>/delete/", views.funnel_delete, name="funnel_delete"),
    path("evidence/<int:link_id>/remove/", views.evidence_unlink, name="evidence_unlink"),
]
