"""Web routes for the roadmap. Everything needs a login except `shared`, which a share token opens."""

from django.urls import path

from northstar.planning import plan_views, views

app_name = "planning"
urlpatterns = [
    path("", views.roadmap, name="roadmap"),
    path("published/<int:roadmap_id>/", views.published, name="published"),
    path("published/<int:roadmap_id>/export.<str:fmt>", views.roadmap_export, name="export"),
    path("changes/<int:change_id>/reason/", views.change_reason, name="change_reason"),
    path("share/", views.share_links, name="share_links"),
    path("share/<int:link_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("shared/<str:token>/", views.shared, name="shared"),
    path("shared/<str:token>/export.<str:fmt>", views.shared_export, name="shared_export"),
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/cell/", views.capacity_cell, name="capacity_cell"),
    path("capacity/derive/", views.capacity_derive, name="capacity_derive"),
    path("periods/add/", views.periods_add, name="periods_add"),
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/cell/", views.budget_cell, name="budget_cell"),
    path("scenarios/", plan_views.scenarios, name="scenarios"),
    path("scenarios/new/", plan_views.scenario_create, name="scenario_create"),
    path("scenarios/<int:scenario_id>/", plan_views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:scenario_id>/edit/", plan_views.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_id>/primary/", plan_views.scenario_primary, name="scenario_primary"),
    path("scenarios/<int:scenario_id>/assumptions/", plan_views.assumption_add, name="assumption_add"),
    path("assumptions/<int:assumption_id>/remove/", plan_views.assumption_remove, name="assumption_remove"),
    path("scenarios/<int:scenario_id>/run/", plan_views.scenario_run, name="scenario_run"),
    path("runs/<int:run_id>/status/", plan_views.run_status, name="run_status"),
    path("plans/<int:run_id>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:run_id>/timeline/", plan_views.plan_timeline, name="plan_timeline"),
    path("plans/<int:run_id>/capacity/", plan_views.plan_capacity, name="plan_capacity"),
    path("plans/<int:run_id>/board/", plan_views.plan_board, name="plan_board"),
    path("plans/<int:run_id>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:run_id>/reoptimise/", plan_views.plan_reoptimise, name="plan_reoptimise"),
    path("plans/<int:run_id>/publish/", plan_views.plan_publish, name="plan_publish"),
    path("compare/", plan_views.compare, name="compare"),
]
