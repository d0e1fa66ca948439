from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "northstar.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
