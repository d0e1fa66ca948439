"""Web routes for portfolio: initiatives, and the prioritisation workspace built on them."""

from django.urls import path

from northstar.portfolio import approval_views as appr
from northstar.portfolio import bulk_views, views
from northstar.portfolio import governance_views as gov
from northstar.portfolio import prioritisation_views as prio

app_name = "portfolio"
urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("new/", views.create, name="create"),
    path("bulk/", bulk_views.bulk, name="bulk"),
    path("<int:initiative_id>/", views.detail, name="detail"),
    path("<int:initiative_id>/edit/", views.edit, name="edit"),
    path("<int:initiative_id>/move/", views.move, name="move"),
    # Prioritisation
    path("ranked/", prio.ranked, name="ranked"),
    path("ranked.csv", prio.ranked_csv, name="ranked_csv"),
    path("matrix/", prio.matrix, name="matrix"),
    path("compare/", prio.compare, name="compare"),
    path("<int:initiative_id>/scores/", prio.scores, name="scores"),
    path("<int:initiative_id>/scores/inline/", prio.score_inline, name="score_inline"),
    path("<int:initiative_id>/why/<slug:framework>/", prio.why, name="why"),
    path("<int:initiative_id>/estimate/", prio.estimate, name="estimate"),
    # Governance
    path("<int:initiative_id>/dependencies/", gov.dependency_add, name="dependency_add"),
    path(
        "<int:initiative_id>/dependencies/<int:dependency_id>/remove/",
        gov.dependency_remove,
        name="dependency_remove",
    ),
    path("dependencies/", gov.dependency_graph, name="dependency_graph"),
    path("decisions/", gov.decisions, name="decisions"),
    path("decisions/<int:decision_id>/", gov.decision_detail, name="decision_detail"),
    path("<int:initiative_id>/decisions/new/", gov.decision_create, name="decision_create"),
    path("gates/", gov.gates, name="gates"),
    path("gates/suggested/", gov.gates_suggested, name="gates_suggested"),
    path("gates/approvals/", appr.approval_rules, name="approval_rules"),
    # Approvals
    path("approvals/", appr.approval_list, name="approvals"),
    path("approvals/<int:approval_id>/approve/", appr.approval_approve, name="approval_approve"),
    path("approvals/<int:approval_id>/reject/", appr.approval_reject, name="approval_reject"),
    path("approvals/<int:approval_id>/withdraw/", appr.approval_withdraw, name="approval_withdraw"),
    path("scoring/", gov.scoring_settings, name="scoring_settings"),
    path("scoring/criteria/new/", gov.criterion_create, name="criterion_create"),
    path("scoring/criteria/<int:criterion_id>/", gov.criterion_edit, name="criterion_edit"),
    path("scoring/criteria/<int:criterion_id>/delete/", gov.criterion_delete, name="criterion_delete"),
]
