from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "northstar.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from northstar.feedback import archiving

        archiving.register()  # what of this area can be archived, and by whom
