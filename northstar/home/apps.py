from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "northstar.home"
    label = "home"
    verbose_name = "Home"
