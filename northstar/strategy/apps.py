from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "northstar.strategy"
    label = "strategy"
    verbose_name = "Strategy"
