from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "northstar.market"
    label = "market"
    verbose_name = "Market"
