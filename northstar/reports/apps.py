from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "northstar.reports"
    label = "reports"
    verbose_name = "Reports"
