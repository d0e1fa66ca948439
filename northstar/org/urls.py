"""Web routes for org: the chart, people, product lines, products and teams."""

from django.urls import path

from northstar.org import views

app_name = "org"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("lines/", views.lines, name="lines"),
    path("lines/new/", views.line_create, name="line_create"),
    path("lines/<int:line_id>/", views.line_detail, name="line_detail"),
    path("lines/<int:line_id>/edit/", views.line_edit, name="line_edit"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
]
