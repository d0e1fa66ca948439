"""What the leader's day needs of its own: when each person last looked at home."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Visit(models.Model):
    """When a person last marked home as seen: "what changed since my last visit" counts from here.

    Written only by an explicit POST (reads never write), so a reload never loses the changes a person
    has not looked at yet.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_visit")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw home at {self.seen_at:%Y-%m-%d %H:%M}"
