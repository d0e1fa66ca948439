"""Web routes for reports. Everything needs a login except `shared` pages and `unsubscribe`, which
a token opens."""

from django.urls import path

from northstar.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("health/", views.health_page, name="health"),
    path("lines/<int:line_id>/", views.line_status, name="line_status"),
    path("lines/<int:line_id>/update/", views.status_create, name="status_create"),
    path("updates/<int:update_id>/", views.status_detail, name="status_detail"),
    path("packs/new/", views.pack_create, name="pack_create"),
    path("packs/<int:pack_id>/", views.pack_detail, name="pack_detail"),
    path("packs/<int:pack_id>/edit/", views.pack_edit, name="pack_edit"),
    path("packs/<int:pack_id>/issue/", views.pack_issue, name="pack_issue"),
    path("packs/<int:pack_id>/issue/status/", views.pack_issue_status, name="pack_issue_status"),
    path("packs/<int:pack_id>/delete/", views.pack_delete, name="pack_delete"),
    path("packs/<int:pack_id>/pack.<str:fmt>", views.pack_download, name="pack_download"),
    path("packs/<int:pack_id>/share/", views.pack_share, name="pack_share"),
    path("links/<int:link_id>/revoke/", views.pack_share_revoke, name="pack_share_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/pack.<str:fmt>", views.shared_download, name="shared_download"),
    path("slides/", views.slide_template, name="slide_template"),
    path("digest/", views.digest_settings, name="digest"),
    path("digest/send/", views.mail_send_now, name="mail_send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
