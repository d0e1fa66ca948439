from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "northstar.finance"
    label = "finance"
    verbose_name = "Finance"
