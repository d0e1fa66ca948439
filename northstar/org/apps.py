from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "northstar.org"
    label = "org"
    verbose_name = "Product organisation"
