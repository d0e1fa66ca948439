"""Web routes for strategy: dashboard, vision, objectives and key results, KPIs, tree, alignment."""

from django.urls import path

from northstar.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("periods/new/", views.period_create, name="period_create"),
    path("vision/", views.vision, name="vision"),
    path("vision/edit/", views.vision_edit, name="vision_edit"),
    path("vision/diff/", views.vision_diff, name="vision_diff"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:objective_id>/key-results/new/", views.key_result_create, name="key_result_create"),
    path("key-results/<int:key_result_id>/", views.key_result_detail, name="key_result_detail"),
    path("key-results/<int:key_result_id>/edit/", views.key_result_edit, name="key_result_edit"),
    path("key-results/<int:key_result_id>/check-in/", views.check_in, name="check_in"),
    path("kpis/", views.metric_list, name="metrics"),
    path("kpis/new/", views.metric_create, name="metric_create"),
    path("kpis/<int:metric_id>/", views.metric_detail, name="metric_detail"),
    path("kpis/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path("kpis/<int:metric_id>/values/", views.metric_value_add, name="metric_value_add"),
    path("tree/", views.tree, name="tree"),
    path("alignment/", views.alignment, name="alignment"),
    path("alignment/<int:alignment_id>/remove/", views.alignment_remove, name="alignment_remove"),
]
