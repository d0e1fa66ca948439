from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "northstar.analytics"
    label = "analytics"
    verbose_name = "Analytics"
