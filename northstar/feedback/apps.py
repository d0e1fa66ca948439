from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "northstar.feedback"
    label = "feedback"
    verbose_name = "Feedback"
