"""Web routes for delivery: connections and syncs, links to initiatives, forecasts, webhooks."""

from django.urls import path

from northstar.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.index, name="index"),
    path("connections/new/", views.connection_create, name="connection_create"),
    path("connections/<int:connection_id>/", views.connection_detail, name="connection_detail"),
    path("connections/<int:connection_id>/edit/", views.connection_edit, name="connection_edit"),
    path("connections/<int:connection_id>/sync/", views.connection_sync, name="connection_sync"),
    path("connections/<int:connection_id>/import/", views.connection_import, name="connection_import"),
    path("connections/<int:connection_id>/teams/", views.team_map, name="team_map"),
    path("work/<int:item_id>/", views.container_detail, name="container_detail"),
    path("work/<int:item_id>/key-result/", views.key_result_feed, name="key_result_feed"),
    path("links/", views.links, name="links"),
    path("links/<int:link_id>/decide/", views.link_decide, name="link_decide"),
    path("initiatives/<int:initiative_id>/", views.initiative, name="initiative"),
    path("initiatives/<int:initiative_id>/link/", views.link_create, name="link_create"),
    path("forecast/", views.forecast, name="forecast"),
    path("forecast/run/", views.forecast_run, name="forecast_run"),
    path("webhooks/<int:connection_id>/", views.webhook, name="webhook"),
]
