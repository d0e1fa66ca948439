from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "northstar.planning"
    label = "planning"
    verbose_name = "Roadmap"

    def ready(self) -> None:
        from northstar.planning import archiving

        archiving.register()  # what of this area can be archived, and by whom
