"""Web routes for people: the career framework, people, review cycles and assessments."""

from django.urls import path

from northstar.people import views

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
    path("cycles/<int:cycle_id>/<str:action>/", views.cycle_action, name="cycle_action"),
    path("reviews/<int:review_id>/", views.review, name="review"),
    path("reviews/<int:review_id>/request/", views.review_request, name="review_request"),
    path("reviews/<int:review_id>/calibrate/", views.review_calibrate, name="review_calibrate"),
    path("feedback/<int:feedback_id>/", views.feedback, name="feedback"),
]
