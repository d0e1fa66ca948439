"""REST API for people, mounted under /api/v1/."""

from ninja import Router

router = Router(tags=["People"])
