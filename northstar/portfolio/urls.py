"""Web routes for portfolio."""

from django.urls import path  # noqa: F401

app_name = "portfolio"
urlpatterns: list = []
