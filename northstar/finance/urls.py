"""Web routes for finance: budget against actuals, actuals and their import, rates, business cases."""

from django.urls import path

from northstar.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="index"),
    path("actuals/", views.actuals, name="actuals"),
    path("actuals/import/", views.actuals_upload, name="actuals_import"),
    path("actuals/people-cost/", views.people_cost, name="people_cost"),
    path("rates/", views.rates, name="rates"),
    path("rates/<int:rate_id>/delete/", views.rate_delete, name="rate_delete"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:initiative_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:initiative_id>/edit/", views.case_edit, name="case_edit"),
]
