from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "northstar.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"

    def ready(self) -> None:
        from northstar.portfolio import archiving

        archiving.register()  # what of this area can be archived, and by whom
