"""API of the feedback area."""

from ninja import Router

router = Router(tags=["feedback"])
