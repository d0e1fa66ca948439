"""Web routes of the public feedback portal (no login needed to read)."""

from django.urls import path

from northstar.feedback import portal_views

app_name = "portal"
urlpatterns = [path("", portal_views.home, name="home")]
