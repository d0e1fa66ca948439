"""Web routes for core: sign-in (password, two-factor, single sign-on), home, audit log, settings."""

from django.urls import path

from northstar.core import account_views, archive_views, signin_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("login/code/", signin_views.login_verify, name="login_verify"),
    path("logout/", signin_views.LogoutView.as_view(), name="logout"),
    path("sso/login/", signin_views.SignOnStartView.as_view(), name="sso_login"),
    path("sso/callback/", signin_views.SignOnCallbackView.as_view(), name="sso_callback"),
    path("audit/", views.audit, name="audit"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("settings/security/", account_views.security, name="security"),
    path("settings/security/two-factor/start/", account_views.two_factor_start, name="two_factor_start"),
    path(
        "settings/security/two-factor/confirm/", account_views.two_factor_confirm, name="two_factor_confirm"
    ),
    path("settings/security/two-factor/off/", account_views.two_factor_disable, name="two_factor_disable"),
    path(
        "settings/security/recovery-codes/", account_views.recovery_codes_renew, name="recovery_codes_renew"
    ),
    path("settings/logins/", account_views.logins, name="logins"),
    path(
        "settings/logins/<int:user_id>/two-factor/reset/",
        account_views.two_factor_reset,
        name="two_factor_reset",
    ),
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
