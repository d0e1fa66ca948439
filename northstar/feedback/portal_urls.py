"""Web routes of the public feedback portal (no login needed to read)."""

from django.urls import path

from northstar.feedback import portal_views

app_name = "portal"
urlpatterns = [
    path("", portal_views.home, name="home"),
    path("b/<slug:slug>/", portal_views.board, name="board"),
    path("b/<slug:slug>/submit/", portal_views.submit, name="submit"),
    path("b/<slug:slug>/similar/", portal_views.similar, name="similar"),
    path("p/<int:post_id>/", portal_views.post, name="post"),
    path("p/<int:post_id>/vote/", portal_views.vote, name="vote"),
    path("votes/confirm/<str:token>/", portal_views.vote_confirm, name="vote_confirm"),
    path("p/<int:post_id>/comment/", portal_views.comment, name="comment"),
    path("p/<int:post_id>/follow/", portal_views.follow, name="follow"),
    path("unsubscribe/<str:token>/", portal_views.unsubscribe, name="unsubscribe"),
    path("roadmap/", portal_views.roadmap, name="roadmap"),
    path("sso/", portal_views.sso, name="sso"),
    path("sso/sign-out/", portal_views.sso_sign_out, name="sso_sign_out"),
    path("logo/<str:sha>/", portal_views.logo, name="logo"),
    path("changelog/", portal_views.changelog, name="changelog"),
]
