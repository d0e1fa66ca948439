"""Web routes of the home area (the cockpit itself is core:home)."""

from django.urls import path

from northstar.home import views

app_name = "home"
urlpatterns = [
    path("seen/", views.seen, name="seen"),
    path("search/", views.search, name="search"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("follow/<int:initiative_id>/", views.follow, name="follow"),
    path("comments/<slug:target>/<int:target_id>/", views.comments, name="comments"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/unread/", views.unread, name="unread"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
