"""REST API for analytics, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["Analytics"])
