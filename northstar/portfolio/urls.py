"""Web routes for portfolio: the initiative list, an initiative's page, its forms and stage moves."""

from django.urls import path

from northstar.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:initiative_id>/", views.detail, name="detail"),
    path("<int:initiative_id>/edit/", views.edit, name="edit"),
    path("<int:initiative_id>/move/", views.move, name="move"),
]
