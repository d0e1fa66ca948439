"""Web routes for market."""

from django.urls import path

from northstar.market import views

app_name = "market"
urlpatterns = [
    path("", views.index, name="index"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/<int:segment_id>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:segment_id>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:segment_id>/estimates/new/", views.estimate_add, name="estimate_add"),
    path("segments/<int:segment_id>/serves/", views.segment_serves, name="segment_serves"),
    path("competitors/", views.competitors, name="competitors"),
    path("competitors/new/", views.competitor_create, name="competitor_create"),
    path("competitors/<int:competitor_id>/", views.competitor_detail, name="competitor_detail"),
    path("competitors/<int:competitor_id>/edit/", views.competitor_edit, name="competitor_edit"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/rate/", views.rating_set, name="rating_set"),
    path("matrix/capabilities/", views.capability_create, name="capability_create"),
    path("changes/", views.changes, name="changes"),
    path("win-loss/", views.win_loss, name="win_loss"),
    path("deals/", views.deals, name="deals"),
    path("deals/import/", views.deal_import, name="deal_import"),
    path("reasons/", views.reason, name="reason"),
    path("reasons/link/", views.reason_link, name="reason_link"),
    path("reasons/links/<int:link_id>/remove/", views.reason_unlink, name="reason_unlink"),
    path("initiatives/<int:initiative_id>/", views.initiative, name="initiative"),
    path("objectives/<int:objective_id>/", views.objective, name="objective"),
    path("notes/", views.notes, name="notes"),
    path("notes/new/", views.note_create, name="note_create"),
    path("notes/<int:note_id>/", views.note_detail, name="note_detail"),
    path("notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
]
