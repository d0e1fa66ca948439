from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from northstar.core.cache import create_table

        # `northstar migrate` also creates the shared cache's table (rate limits across processes).
        post_migrate.connect(create_table, sender=self, dispatch_uid="northstar.core.cache_table")
