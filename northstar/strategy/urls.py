"""Web routes for strategy."""

from django.urls import path

from northstar.strategy import views

app_name = "strategy"
urlpatterns = [path("", views.dashboard, name="dashboard")]
