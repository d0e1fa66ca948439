"""REST API for finance, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["Finance"])
