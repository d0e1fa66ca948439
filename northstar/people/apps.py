from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "northstar.people"
    label = "people"
    verbose_name = "People"
