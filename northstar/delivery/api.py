"""REST API for delivery, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["Delivery"])
