"""Web routes for people: the career framework, people, review cycles and assessments."""

from django.urls import path

from northstar.people import growth_views, hiring_views, views

app_name = "people"
urlpatterns = [
    path("", views.index, name="index"),
    path("framework/", views.framework, name="framework"),
    path("framework/install/", views.framework_install, name="framework_install"),
    path("framework/compare/", views.compare, name="compare"),
    path(
        "framework/<int:level_id>/<int:competency_id>/",
        views.expectation_edit,
        name="expectation_edit",
    ),
    path("directory/", views.people, name="people"),
    path("directory/<int:person_id>/", views.person, name="person"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:cycle_id>/", views.cycle, name="cycle"),
    path("cycles/<int:cycle_id>/<slug:action>/", views.cycle_action, name="cycle_action"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("reviews/<int:review_id>/request/", views.review_request, name="review_request"),
    path("reviews/<int:review_id>/calibrate/", views.review_calibrate, name="review_calibrate"),
    path("feedback/<int:feedback_id>/", views.feedback, name="feedback"),
    # Growth and 1:1s
    path("directory/<int:person_id>/growth/", growth_views.growth_page, name="growth"),
    path("directory/<int:person_id>/growth/<slug:action>/", growth_views.growth_action, name="growth_action"),
    path("one-on-ones/", growth_views.one_on_ones, name="one_on_ones"),
    path("one-on-ones/new/", growth_views.one_on_one_start, name="one_on_one_start"),
    path("one-on-ones/<int:one_on_one_id>/", growth_views.one_on_one, name="one_on_one"),
    path(
        "one-on-ones/<int:one_on_one_id>/<slug:action>/",
        growth_views.one_on_one_action,
        name="one_on_one_action",
    ),
    path("mentoring/new/", growth_views.mentoring_start, name="mentoring_start"),
    path("mentoring/<int:pair_id>/", growth_views.mentoring, name="mentoring"),
    path("mentoring/<int:pair_id>/notes/", growth_views.mentoring_note, name="mentoring_note"),
    # Hiring
    path("hiring/", hiring_views.requisitions, name="requisitions"),
    path("hiring/headcount/", hiring_views.headcount, name="headcount"),
    path("hiring/headcount/set/", hiring_views.headcount_set, name="headcount_set"),
    path("hiring/new/", hiring_views.requisition_create, name="requisition_create"),
    path("hiring/<int:requisition_id>/", hiring_views.requisition, name="requisition"),
    path("hiring/<int:requisition_id>/status/", hiring_views.requisition_status, name="requisition_status"),
    path(
        "hiring/<int:requisition_id>/candidates/new/", hiring_views.candidate_create, name="candidate_create"
    ),
    path(
        "hiring/<int:requisition_id>/candidates/import/",
        hiring_views.candidates_import,
        name="candidates_import",
    ),
    path("candidates/<int:candidate_id>/", hiring_views.candidate, name="candidate"),
    path("candidates/<int:candidate_id>/cv/", hiring_views.candidate_cv, name="candidate_cv"),
    path(
        "candidates/<int:candidate_id>/<slug:action>/", hiring_views.candidate_action, name="candidate_action"
    ),
    path("decisions/<int:decision_id>/", hiring_views.decision_decide, name="decision_decide"),
    path("interviews/<int:interview_id>/scorecard/", hiring_views.scorecard, name="scorecard"),
]
