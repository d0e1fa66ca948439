"""Web routes for core: sign-in, the home dashboard, the audit log and API tokens."""

from django.urls import path

from northstar.core import archive_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit, name="audit"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("assets/plotly.js", views.plotly_js, name="plotly_js"),
    # Browsers (and feed readers, bookmarks) ask for /favicon.ico whatever the page names.
    path("favicon.ico", views.favicon, name="favicon"),
    path("archive/", archive_views.archive_list, name="archive"),
    path("archive/<slug:kind_key>/<int:pk>/archive/", archive_views.archive_confirm, name="archive_record"),
    path("archive/<slug:kind_key>/<int:pk>/restore/", archive_views.restore, name="archive_restore"),
    path("archive/<slug:kind_key>/<int:pk>/delete/", archive_views.delete_confirm, name="archive_delete"),
    path("jobs/<int:job_id>/", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
]
