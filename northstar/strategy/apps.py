from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "northstar.strategy"
    label = "strategy"
    verbose_name = "Strategy"

    def ready(self) -> None:
        from northstar.strategy import archiving

        archiving.register()  # what of this area can be archived, and by whom
