from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "northstar.market"
    label = "market"
    verbose_name = "Market"

    def ready(self) -> None:
        from northstar.market import archiving

        archiving.register()  # segments and competitors can be archived, by any writer
