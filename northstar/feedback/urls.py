"""Web routes for feedback (signed-in users)."""

from django.urls import path

from northstar.feedback import views

app_name = "feedback"
urlpatterns = [path("", views.inbox, name="inbox")]
