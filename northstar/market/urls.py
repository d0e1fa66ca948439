"""Web routes for market."""

from django.urls import URLPattern

app_name = "market"
urlpatterns: list[URLPattern] = []
