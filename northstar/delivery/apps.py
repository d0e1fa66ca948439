from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "northstar.delivery"
    label = "delivery"
    verbose_name = "Delivery"
