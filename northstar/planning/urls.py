"""Web routes for the roadmap (signed-in users)."""

from django.urls import path

from northstar.planning import views

app_name = "planning"
urlpatterns = [path("", views.roadmap, name="roadmap")]
