from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "northstar.home"
    label = "home"
    verbose_name = "Home"

    def ready(self) -> None:
        from northstar.home import indexing, receivers

        indexing.connect()
        receivers.connect()
