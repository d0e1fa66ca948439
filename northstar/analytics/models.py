"""Analytics: the product web apps that send usage events, the events, funnels and friction evidence."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from northstar.core.concurrency import Versioned
from northstar.engines import friction as engine
from northstar.org.models import Product
from northstar.portfolio.models import Initiative


class Site(Versioned):
    """A product's web app that sends usage events with its public write key.

    The key is public (it sits in the page's script tag): it only lets events in, for this site,
    from its allowed origins. Events older than the retention period are deleted.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="analytics_sites")
    name = models.CharField(max_length=120)
    key = models.CharField(max_length=48, unique=True, editable=False)
    allowed_origins = models.TextField(
        blank=True, help_text="One origin per line, e.g. https://app.example.com. Empty: any origin."
    )
    retention_days = models.PositiveIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text="Events older than this many days are deleted.",
    )
    consent_required = models.BooleanField(
        default=False, help_text="Keep events only from visitors who consented (the snippet says so)."
    )
    active = models.BooleanField(default=True)
    rejected_batches = models.PositiveIntegerField(
        default=0, editable=False, help_text="Batches refused as malformed or invalid."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="analytics_site_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.splitlines() if o.strip()]


class EventKind(models.IntegerChoices):
    PAGEVIEW = engine.PAGEVIEW, "Page view"
    CLICK = engine.CLICK, "Click"
    ERROR = engine.ERROR, "Error"
    CUSTOM = engine.CUSTOM, "Custom event"
    VITAL = engine.VITAL, "Web vital"


#: An event's columns as written in bulk (the spool's rows, the drain, the demo) and read back in
#: bulk (`storage.scan`), in one order.
EVENT_COLUMNS = (
    "site_id",
    "at",
    "kind",
    "visitor",
    "user_ref",
    "account",
    "path",
    "name",
    "selector",
    "x",
    "y",
    "dead",
    "value",
    "props",
)


class Event(models.Model):
    """One captured interaction, stored lean for volume.

    No foreign-key constraint and no index of its own on `site`: the (site, at) index serves every
    scan (a site's events over a period), and bulk inserts skip a per-row check. No input values,
    no IP address: the snippet never sends them and the endpoint refuses unknown fields.
    """

    id = models.BigAutoField(primary_key=True)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    at = models.DateTimeField()
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    visitor = models.CharField(max_length=64, help_text="The snippet's anonymous visitor id.")
    user_ref = models.CharField(max_length=120, blank=True, help_text="From identify(user).")
    account = models.CharField(max_length=120, blank=True, help_text="From identify(user, account).")
    path = models.CharField(max_length=300)
    name = models.CharField(
        max_length=120, blank=True, help_text="Custom event name, error message or vital."
    )
    selector = models.CharField(max_length=300, blank=True, help_text="The clicked element.")
    x = models.IntegerField(null=True, blank=True)
    y = models.IntegerField(null=True, blank=True)
    dead = models.BooleanField(default=False, help_text="The snippet saw no reaction to this click.")
    value = models.FloatField(null=True, blank=True, help_text="A vital's value (ms, or unitless CLS).")
    props = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["site", "at"], name="analytics_event_site_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.path}"

    @property
    def person(self) -> str:
        return self.user_ref or self.visitor


class SpooledBatch(models.Model):
    """An accepted batch of events waiting for a worker to write it into `Event`: the ingest buffer.

    Capture validates a batch, stores it here as one row (one small insert, so the endpoint answers
    202 fast) and queues a drain; a worker moves spooled batches into `Event` in bulk, inserting the
    events and deleting their batches in one transaction. A worker killed mid-way rolls that
    transaction back, so the batches stay here for the next drain: an accepted event is written
    exactly once. `rows` is JSON: the events in `EVENT_COLUMNS` order, time as stored.
    """

    id = models.BigAutoField(primary_key=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    rows = models.TextField()
    events = models.PositiveIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.events} events for site {self.site_id}"


class ReceivedBatch(models.Model):
    """A batch id the snippet sent and the endpoint accepted, remembered for a while so a retry of the
    same batch (its 202 lost on the way back) is answered 202 again without being stored twice.

    The snippet gives every batch a random id kept across its retries; ids are per site (a key is
    public, so one site cannot mask another's batches) and pruned after `ingest.DEDUPE_WINDOW`.
    Batches from older snippets carry no id and are not remembered.
    """

    id = models.BigAutoField(primary_key=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    batch_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "batch_id"], name="analytics_received_batch_unique")
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_id} for site {self.site_id}"


class Funnel(Versioned):
    """Ordered steps a user should pass within a window, e.g. cart → checkout → paid.

    Each step is {"kind": "page", "match": "/checkout*"} (a page-view path, `*` matching anything) or
    {"kind": "event", "match": "order_paid"} (a custom event's name).
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="funnels")
    name = models.CharField(max_length=120)
    steps = models.JSONField(default=list)
    window_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="analytics_funnel_unique_name")]

    def __str__(self) -> str:
        return self.name


class Signal(models.TextChoices):
    RAGE_CLICK = engine.Signal.RAGE_CLICK.value, "Rage clicks"
    DEAD_CLICK = engine.Signal.DEAD_CLICK.value, "Dead clicks"
    ERROR_CLICK = engine.Signal.ERROR_CLICK.value, "Error after a click"
    ERROR = engine.Signal.ERROR.value, "JavaScript error"
    FORM_ABANDON = engine.Signal.FORM_ABANDON.value, "Form abandoned"
    SLOW_PAGE = "slow_page", "Slow page"
    FUNNEL_DROP = "funnel_drop", "Funnel drop-off"


class FrictionEvidence(models.Model):
    """A friction issue (a signal on a page and element) or a funnel step's drop-off, linked to an
    initiative as evidence that the problem is real, with the users affected when it was linked."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="evidence")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="friction_evidence")
    signal = models.CharField(max_length=20, choices=Signal.choices)
    path = models.CharField(max_length=300, blank=True)
    selector = models.CharField(max_length=300, blank=True)
    funnel = models.ForeignKey(
        Funnel, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    step = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Funnel step (1 = first).")
    users = models.PositiveIntegerField(default=0, help_text="Users affected over the period when linked.")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "friction evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "site", "signal", "path", "selector"],
                condition=Q(funnel__isnull=True),
                name="analytics_friction_evidence_unique",
            ),
            models.UniqueConstraint(
                fields=["initiative", "funnel", "step"],
                condition=Q(funnel__isnull=False),
                name="analytics_funnel_evidence_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_signal_display()} on {self.path or self.funnel} → {self.initiative}"
