from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "northstar.planning"
    label = "planning"
    verbose_name = "Roadmap"
