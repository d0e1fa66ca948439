"""Web routes of the home area (the cockpit itself is core:home)."""

from django.urls import path

from northstar.home import views

app_name = "home"
urlpatterns = [
    path("seen/", views.seen, name="seen"),
]
