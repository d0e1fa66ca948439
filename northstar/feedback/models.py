"""Customers, feedback from every source, themes, evidence links to ideas, and the public portal."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from northstar.core.concurrency import Versioned
from northstar.core.models import Archivable
from northstar.core.numbers import MoneyField
from northstar.portfolio.models import Initiative, Stage


class Segment(models.TextChoices):
    SMB = "smb", "SMB"
    MID_MARKET = "mid_market", "Mid-market"
    ENTERPRISE = "enterprise", "Enterprise"
    CONSUMER = "consumer", "Consumer"


class Customer(Versioned):
    """An account whose feedback we weigh: its segment, plan, region and the revenue behind it."""

    name = models.CharField(max_length=200, unique=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.SMB)
    plan = models.CharField(max_length=60, blank=True)
    region = models.CharField(max_length=60, blank=True)
    annual_revenue = MoneyField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="EUR")
    renewal_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(Versioned):
    """A person at a customer who talks to us; feedback from their email address lands on the account."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="feedback_contact_email_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"


class Source(models.TextChoices):
    MANUAL = "manual", "Typed in"
    CSV = "csv", "CSV import"
    ZENDESK = "zendesk", "Zendesk"
    INTERCOM = "intercom", "Intercom"
    CANNY = "canny", "Canny"
    PRODUCTBOARD = "productboard", "Productboard"
    APP_STORE = "app_store", "App-store review"
    EMAIL = "email", "Email"
    API = "api", "API"
    WIDGET = "widget", "In-app widget"
    PORTAL = "portal", "Portal"
    SALES = "sales", "Sales call"


class ImportBatch(models.Model):
    """One imported file: who brought it in, how its columns were read, and what it added."""

    filename = models.CharField(max_length=255)
    source = models.CharField(max_length=20, choices=Source.choices)
    preset = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.filename} ({self.added} added)"


class Theme(Versioned):
    """A group of feedback items about one thing, found by clustering and curated by people.

    `name_locked` keeps a user's name across re-clusterings; `pinned` (set by a merge or a split)
    keeps the theme's items together: re-clustering leaves pinned themes' items where they are.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    name_locked = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    keywords = models.JSONField(default=list, help_text="[[keyword, weight], ...] by c-TF-IDF")
    centroid = models.BinaryField(null=True, blank=True)
    embedder = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-size", "id"]
        indexes = [models.Index(fields=["status", "-size"])]

    def __str__(self) -> str:
        return self.name


class ThemeRun(models.Model):
    """One full clustering: which embedder, how many items and themes, how long it took."""

    embedder = models.CharField(max_length=40)
    embedder_label = models.CharField(max_length=120)
    items = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    similarity = models.FloatField(default=0)
    seconds = models.FloatField(default=0)
    requested_themes = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.themes} themes from {self.items} items ({self.embedder})"


class FeedbackItem(Versioned, Archivable):
    """One piece of customer voice, kept as it came: its source, author, account, date and text.

    `dedupe_key` makes re-imports idempotent: the same ticket (or the same author, date and text)
    is stored once. `fingerprint` groups near-identical texts in the inbox.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        PROCESSED = "processed", "Processed"

    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    author_name = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(blank=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    received_at = models.DateTimeField(db_index=True)
    external_id = models.CharField(max_length=200, blank=True)
    dedupe_key = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    theme_similarity = models.FloatField(null=True, blank=True)
    embedding = models.BinaryField(null=True, blank=True)
    embedder = models.CharField(max_length=40, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"]),
            models.Index(fields=["theme", "-received_at"]),
            models.Index(fields=["customer"]),
        ]
        verbose_name = "feedback item"

    def __str__(self) -> str:
        return (self.title or self.text)[:80]


class EvidenceLink(models.Model):
    """Evidence for an idea: a feedback item, or a highlighted quote from it, linked to an initiative."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="links")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="evidence")
    quote = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "initiative", "quote"], name="feedback_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.initiative}"


# The public portal ---------------------------------------------------------------------------------


class PostStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CLOSED = "closed", "Closed"


#: A linked post shows where its initiative is, in customers' words.
STAGE_TO_POST_STATUS = {
    Stage.IDEA: PostStatus.UNDER_REVIEW,
    Stage.DISCOVERY: PostStatus.UNDER_REVIEW,
    Stage.PLANNED: PostStatus.PLANNED,
    Stage.IN_DELIVERY: PostStatus.IN_PROGRESS,
    Stage.LAUNCHED: PostStatus.DONE,
    Stage.MEASURED: PostStatus.DONE,
    Stage.PARKED: PostStatus.CLOSED,
    Stage.KILLED: PostStatus.CLOSED,
}


class Moderation(models.TextChoices):
    PENDING = "pending", "Waiting for moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Board(Versioned):
    """A public board of the portal, e.g. 'Feature requests' or 'Mobile app'."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    segments = models.JSONField(
        default=list,
        blank=True,
        help_text="Segments whose signed-in customers may see this board; empty: every visitor.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Post(Versioned):
    """A customer's request on a board. Linked to an initiative, its status follows the initiative."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown, sanitised when shown.")
    author_name = models.CharField(max_length=120, blank=True)
    author_email = models.EmailField(blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=PostStatus.choices, default=PostStatus.UNDER_REVIEW)
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_posts"
    )
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    vote_count = models.PositiveIntegerField(default=0)
    feedback_item = models.OneToOneField(
        FeedbackItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_post"
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_posts",
        help_text="The request this duplicate was merged into: its votes and followers moved there.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-vote_count", "-created_at"]
        indexes = [models.Index(fields=["board", "moderation", "-vote_count"])]

    def __str__(self) -> str:
        return self.title

    @property
    def public_status(self) -> str:
        """The status customers see: the linked initiative's stage, else the one set by hand."""
        if self.initiative is not None:
            return STAGE_TO_POST_STATUS[Stage(self.initiative.stage)].value
        return self.status

    def get_public_status_display(self) -> str:
        return PostStatus(self.public_status).label


class Vote(models.Model):
    """One person's vote on a post. The database refuses a second vote by the same voter; a visitor's
    vote counts (in `Post.vote_count`, and for the changelog's emails) once it is confirmed."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(max_length=260, help_text="'user:<id>' or 'email:<address>'")
    email = models.EmailField(blank=True)
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_votes",
        help_text="The account the voter signed in for (portal sign-in from the customer's app).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the vote began to count (a visitor's, on opening the emailed link).",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "voter"], name="feedback_one_vote_per_person")]

    def __str__(self) -> str:
        return f"{self.voter} on {self.post_id}"


class Subscription(models.Model):
    """Someone's explicit choice to follow a post, or to stop following it.

    Voters, the author and commenters follow a post without a row here; a row with `active=False`
    (written by the unsubscribe link) silences them, one with `active=True` adds someone who only asked
    to follow. See `portal_subscriptions.subscribers`."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "email"], name="feedback_one_subscription")]

    def __str__(self) -> str:
        return f"{self.email} on {self.post_id}"


class Comment(models.Model):
    """A comment on a portal post, shown once moderation lets it through (team comments at once)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    author_name = models.CharField(max_length=120, blank=True)
    author_email = models.EmailField(blank=True)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.post_id}"


class ChangelogEntry(Versioned):
    """A public release note; publishing it emails the voters of the posts it ships."""

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown, sanitised when shown.")
    posts = models.ManyToManyField(Post, blank=True, related_name="changelog_entries")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    notified = models.PositiveIntegerField(default=0, help_text="Voters emailed when it was published.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name_plural = "changelog entries"

    def __str__(self) -> str:
        return self.title


class WidgetSite(Versioned):
    """A site that embeds the in-app feedback widget; its public key lets the widget post items."""

    name = models.CharField(max_length=120)
    key = models.CharField(max_length=48, unique=True)
    allowed_origin = models.CharField(max_length=200, blank=True, help_text="e.g. https://app.example.com")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sso_secret = models.CharField(
        max_length=64, blank=True, help_text="Signs the tokens the site's app gives its users (HS256)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PortalBranding(Versioned):
    """The portal's look and address: one row (pk 1). Shown on every portal page."""

    company_name = models.CharField(max_length=120, blank=True)
    primary_color = models.CharField(max_length=7, blank=True, help_text="#rrggbb; empty keeps Northstar's.")
    logo_type = models.CharField(
        max_length=20, blank=True, help_text="The logo's content type; empty: no logo."
    )
    logo_sha = models.CharField(
        max_length=16, blank=True, help_text="Changes with the logo, so caches refresh."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.company_name or "Portal branding"


class PortalLogo(models.Model):
    """The logo's bytes, apart from the branding row so its audit trail never holds an image."""

    data = models.BinaryField()

    def __str__(self) -> str:
        return "Portal logo"
