"""Themes: full re-clustering, assigning new items as they arrive, and people's edits that last.

The engine (`northstar.engines.themes`) embeds and clusters; this module moves data between the
database and the engine. People's edits survive a re-clustering because:
- a renamed theme keeps its name (`name_locked`) when the new cluster that continues it is found by
  item overlap (see `northstar.engines.themes.reconcile`);
- a merged or split theme is pinned: its items are left where the user put them.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.db import connection, transaction
from django.db.models import Count

from northstar.core import audit
from northstar.core.errors import ValidationFailed
from northstar.core.locks import lock_named
from northstar.core.models import User
from northstar.engines import themes as engine
from northstar.engines.themes.clustering import centroids_of, nearest
from northstar.engines.themes.keywords import tokens
from northstar.engines.themes.names import theme_names
from northstar.feedback.models import FeedbackItem, Theme, ThemeRun
from northstar.feedback.services import snapshot
from northstar.org import access

Progress = Callable[[float, str], None]

#: How many texts of a theme feed its keywords; enough for stable names, bounded for speed.
KEYWORD_SAMPLE = 400
#: Every write that moves items between themes takes this lock first, so two never deadlock.
THEMES_LOCK = "feedback:themes"
#: Items are embedded in chunks, so progress moves and memory stays flat.
EMBED_CHUNK = 512

_embedders: dict[str, engine.Embedder] = {}


def current_embedder(prefer: str = "") -> engine.Embedder:
    """The best installed embedder (or the one preferred, e.g. the fast fallback), loaded once."""
    embedder = engine.default_embedder(prefer=prefer)
    return _embedders.setdefault(embedder.name, embedder)


def _vector(blob: bytes | memoryview | None) -> np.ndarray:
    """A stored vector (callers check that the item has one: an empty blob gives an empty vector)."""
    return np.frombuffer(bytes(blob or b""), dtype=np.float16).astype(np.float32)


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def _text(title: str, text: str) -> str:
    return f"{title}. {text}" if title else text


def _no_progress(fraction: float, message: str) -> None:
    return None


def _embed_missing(embedder: engine.Embedder, rows: list[dict], progress: Progress, span: float) -> None:
    """Embed rows lacking a vector from this embedder, storing the vectors (float16) on the items."""
    todo = [r for r in rows if r["embedder"] != embedder.name or r["embedding"] is None]
    for start in range(0, len(todo), EMBED_CHUNK):
        chunk = todo[start : start + EMBED_CHUNK]
        vectors = embedder.embed([_text(r["title"], r["text"]) for r in chunk])
        updates = []
        for row, vector in zip(chunk, vectors, strict=True):
            row["embedding"] = _blob(vector)
            row["embedder"] = embedder.name
            updates.append(FeedbackItem(pk=row["id"], embedding=row["embedding"], embedder=embedder.name))
        FeedbackItem.objects.bulk_update(updates, ["embedding", "embedder"], batch_size=500)
        progress(span * (start + len(chunk)) / max(len(todo), 1), f"Embedded {start + len(chunk)} new items")


def _keywords_for(texts_by_theme: list[list[str]]) -> list[list[list[float | str]]]:
    sampled = [texts[:KEYWORD_SAMPLE] for texts in texts_by_theme]
    return [[[k, w] for k, w in kws] for kws in engine.theme_keywords(sampled)]


def _names_for(texts_by_theme: list[list[str]]) -> list[str]:
    """Names in the customers' words; each theme's texts come most central first."""
    return theme_names([texts[:KEYWORD_SAMPLE] for texts in texts_by_theme])


def _central_first(vectors: np.ndarray, members: list[int], centre: np.ndarray) -> list[int]:
    """`members` ordered by their cosine to the theme's centre, nearest first (ties by position)."""
    sims = vectors[members] @ centre
    return [members[i] for i in np.argsort(-sims, kind="stable")]


def themes_recluster(
    *,
    actor: User | None,
    n_themes: int | None = None,
    progress: Progress | None = None,
    prefer: str = "",
    known_themes: int | None = None,
) -> ThemeRun:
    """Cluster every item not in a pinned theme into themes, keeping what people decided.

    Embedding new items is committed as it goes (it is slow and safe to redo); the themes change in
    one transaction at the end, so readers never see half a re-clustering.

    `known_themes` is the number the engine's own search is known to choose for exactly these items
    (the demo's, whose test proves it): the themes are the same, without two thirds of the time spent
    searching for that number. Unlike `n_themes` it is not recorded as a person's request.
    """
    if actor is not None:
        access.require_write(actor)
    if n_themes is not None and n_themes < 1:
        raise ValidationFailed("Ask for at least one theme.")
    progress = progress or _no_progress
    started = time.perf_counter()
    embedder = current_embedder(prefer)
    pinned = set(Theme.objects.filter(pinned=True, status=Theme.Status.ACTIVE).values_list("id", flat=True))
    rows = list(
        FeedbackItem.objects.exclude(theme_id__in=pinned)
        .order_by("id")
        .values("id", "title", "text", "embedding", "embedder", "theme_id")
    )
    progress(0.02, f"{len(rows)} items to cluster with {embedder.label}")
    if embedder.corpus_fitted:
        vectors = embedder.embed([_text(r["title"], r["text"]) for r in rows]) if rows else np.zeros((0, 1))
        progress(0.6, "Embedded")
    else:
        _embed_missing(embedder, rows, progress, 0.6)
        vectors = np.stack([_vector(r["embedding"]) for r in rows]) if rows else np.zeros((0, 1))
    release = getattr(embedder, "release", None)
    if release is not None:
        release()  # the model and the clustering never take memory at the same time
    result = engine.cluster_vectors(vectors, n_themes=n_themes or known_themes)
    progress(0.8, f"Found {result.n_themes} themes; naming them")
    clusters: list[list[int]] = [[] for _ in range(result.n_themes)]
    for index, label in enumerate(result.labels):
        clusters[label].append(index)
    centres = centroids_of(vectors, result.labels) if len(rows) else None
    if centres is not None:
        clusters = [_central_first(vectors, c, centres[i]) for i, c in enumerate(clusters)]
    texts = [[_text(rows[i]["title"], rows[i]["text"]) for i in c] for c in clusters]
    keywords, names = _keywords_for(texts), _names_for(texts)
    old_members: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row["theme_id"] is not None:
            old_members[row["theme_id"]].add(row["id"])
    old = [
        engine.OldTheme(id=tid, items=frozenset(old_members.get(tid, set())))
        for tid in Theme.objects.filter(status=Theme.Status.ACTIVE, pinned=False).values_list("id", flat=True)
    ]
    plan = engine.reconcile([frozenset(rows[i]["id"] for i in c) for c in clusters], old)
    kept = None if embedder.corpus_fitted else centres  # corpus-fitted vectors mean nothing later
    with transaction.atomic():
        lock_named(THEMES_LOCK)
        existing = Theme.objects.in_bulk([t for t in plan.continues if t is not None])
        item_updates = []
        for index, members in enumerate(clusters):
            theme_id = plan.continues[index]
            theme = existing[theme_id] if theme_id is not None else Theme()
            theme.keywords = keywords[index]
            if not theme.name_locked:
                theme.name = names[index]
            theme.size = len(members)
            theme.status = Theme.Status.ACTIVE
            theme.embedder = embedder.name
            theme.centroid = _blob(kept[index]) if kept is not None else None
            theme.save()
            sims = vectors[members] @ kept[index] if kept is not None else [None] * len(members)
            for i, sim in zip(members, sims, strict=True):
                similarity = None if sim is None else round(float(sim), 4)
                item_updates.append(
                    FeedbackItem(pk=rows[i]["id"], theme_id=theme.pk, theme_similarity=similarity)
                )
        _store_themes(item_updates)
        Theme.objects.filter(pk__in=plan.retired).update(status=Theme.Status.RETIRED, size=0)
        _refresh_pinned(embedder)
        run = ThemeRun.objects.create(
            embedder=embedder.name,
            embedder_label=embedder.label,
            items=len(rows),
            themes=result.n_themes,
            similarity=round(result.similarity, 4),
            seconds=round(time.perf_counter() - started, 2),
            requested_themes=n_themes,
            actor=actor,
        )
    progress(1.0, f"{result.n_themes} themes from {len(rows)} items")
    return run


def _store_themes(updates: list[FeedbackItem]) -> None:
    """Each item's theme and similarity in one prepared UPDATE run per row (executemany).

    bulk_update builds a CASE per row and column: for 5,000 items its SQL took longer to build
    than the clustering. Raw SQL here is a plain parameterised statement on the model's own table."""
    table = FeedbackItem._meta.db_table
    rows = [(u.theme_id, u.theme_similarity, u.pk) for u in updates]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET theme_id = %s, theme_similarity = %s WHERE id = %s", rows)  # noqa: S608


def _refresh_pinned(embedder: engine.Embedder) -> None:
    """Pinned themes keep their items; their sizes, centres and keywords follow those items."""
    for theme in Theme.objects.filter(pinned=True, status=Theme.Status.ACTIVE):
        _refresh_theme(theme, embedder)


def _refresh_theme(theme: Theme, embedder: engine.Embedder) -> None:
    items = list(theme.items.order_by("id").values("title", "text", "embedding", "embedder"))
    theme.size = len(items)
    if not items:
        theme.status = Theme.Status.RETIRED
        theme.save()
        return
    texts = [_text(i["title"], i["text"]) for i in items]
    usable = [i["embedder"] == embedder.name and bool(i["embedding"]) for i in items]
    if all(usable) and not embedder.corpus_fitted:
        vectors = np.stack([_vector(i["embedding"]) for i in items])
        centre = centroids_of(vectors, np.zeros(len(items), dtype=np.int64))[0]
        theme.centroid = _blob(centre)
        theme.embedder = embedder.name
        texts = [texts[i] for i in _central_first(vectors, list(range(len(items))), centre)]
    theme.keywords = _keywords_for([texts])[0]
    if not theme.name_locked:
        theme.name = _names_for([texts])[0]
    theme.save()


def themes_assign_new(*, item_ids: list[int]) -> int:
    """Put newly arrived items into their nearest existing theme; returns how many found one.

    Items not close enough to any theme wait, unthemed, for the next re-clustering.
    """
    themes = list(
        Theme.objects.filter(status=Theme.Status.ACTIVE).only("id", "centroid", "embedder", "keywords")
    )
    items = list(FeedbackItem.objects.filter(pk__in=item_ids, theme__isnull=True).only("id", "title", "text"))
    if not themes or not items:
        return 0
    embedder = current_embedder()
    texts = [_text(i.title, i.text) for i in items]
    updates: list[FeedbackItem] = []
    if embedder.corpus_fitted or not all(t.centroid and t.embedder == embedder.name for t in themes):
        for item, text in zip(items, texts, strict=True):  # match by the themes' keywords instead
            words = set(tokens(text, pairs=True))
            scores = [sum(w for k, w in t.keywords if k in words) for t in themes]
            best = int(np.argmax(scores))
            if scores[best] > 0:
                updates.append(FeedbackItem(pk=item.pk, theme_id=themes[best].pk, theme_similarity=None))
    else:
        vectors = embedder.embed(texts)
        centres = np.stack([_vector(t.centroid) for t in themes])
        nearest_theme, sims = nearest(vectors, centres)
        threshold = embedder.assign_similarity
        for item, vector, b, s in zip(items, vectors, nearest_theme, sims, strict=True):
            row = FeedbackItem(pk=item.pk, embedding=_blob(vector), embedder=embedder.name)
            row.theme_id, row.theme_similarity = (
                (themes[b].pk, round(float(s), 4)) if s >= threshold else (None, None)
            )
            updates.append(row)
        FeedbackItem.objects.bulk_update(updates, ["embedding", "embedder"], batch_size=500)
        updates = [u for u in updates if u.theme_id is not None]
    with transaction.atomic():
        lock_named(THEMES_LOCK)
        FeedbackItem.objects.bulk_update(updates, ["theme", "theme_similarity"], batch_size=500)
        for theme_id, n in (
            FeedbackItem.objects.filter(theme_id__in=[u.theme_id for u in updates])
            .values_list("theme_id")
            .annotate(n=Count("id"))
        ):
            Theme.objects.filter(pk=theme_id).update(size=n)
    return len(updates)


# People's edits ------------------------------------------------------------------------------------


@transaction.atomic
def theme_rename(*, actor: User, theme: Theme, name: str) -> Theme:
    """A user's name sticks: re-clustering keeps it as long as the theme's items stay together."""
    access.require_write(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed("A theme needs a name.")
    before = snapshot(theme)
    theme.name, theme.name_locked = name[:200], True
    theme.save(update_fields=["name", "name_locked", "updated_at"])
    audit.audit_update(actor=actor, instance=theme, before=before, after=snapshot(theme))
    return theme


@transaction.atomic
def theme_merge(*, actor: User, theme: Theme, others: list[Theme]) -> Theme:
    """Fold other themes into this one; the result is pinned so re-clustering cannot pull it apart."""
    access.require_write(actor)
    others = [o for o in others if o.pk != theme.pk]
    if not others:
        raise ValidationFailed("Choose at least one other theme to merge into this one.")
    lock_named(THEMES_LOCK)
    before = snapshot(theme)
    FeedbackItem.objects.filter(theme__in=others).update(theme=theme)
    for other in others:
        other_before = snapshot(other)
        other.status, other.size = Theme.Status.RETIRED, 0
        other.save(update_fields=["status", "size", "updated_at"])
        audit.audit_update(actor=actor, instance=other, before=other_before, after=snapshot(other))
    theme.pinned = True
    _refresh_theme(theme, current_embedder())
    audit.audit_update(actor=actor, instance=theme, before=before, after=snapshot(theme))
    return theme


@transaction.atomic
def theme_split(*, actor: User, theme: Theme, parts: int = 2) -> list[Theme]:
    """Split a theme into `parts` sub-themes by its items' similarity; all of them are pinned."""
    access.require_write(actor)
    if parts < 2:
        raise ValidationFailed("Split into at least two themes.")
    lock_named(THEMES_LOCK)
    items = list(theme.items.order_by("id").values("id", "title", "text", "embedding", "embedder"))
    if len(items) < parts:
        raise ValidationFailed(f"“{theme.name}” has {len(items)} items: too few to split into {parts}.")
    embedder = current_embedder()
    texts = [_text(i["title"], i["text"]) for i in items]
    if not embedder.corpus_fitted and all(i["embedder"] == embedder.name and i["embedding"] for i in items):
        vectors = np.stack([_vector(i["embedding"]) for i in items])
    else:
        vectors = embedder.embed(texts)
    labels = engine.kmeans_labels(vectors, parts)
    before = snapshot(theme)
    result = [theme]
    for part in range(1, parts):
        member_ids = [items[i]["id"] for i in np.flatnonzero(labels == part)]
        if not member_ids:
            continue
        new = Theme.objects.create(name=f"{theme.name} ({part + 1})", pinned=True, embedder=embedder.name)
        FeedbackItem.objects.filter(pk__in=member_ids).update(theme=new)
        _refresh_theme(new, embedder)
        audit.audit_create(actor=actor, instance=new, after=snapshot(new))
        result.append(new)
    theme.pinned = True
    theme.name_locked = False
    _refresh_theme(theme, embedder)
    audit.audit_update(actor=actor, instance=theme, before=before, after=snapshot(theme))
    return result


@transaction.atomic
def theme_set_pinned(*, actor: User, theme: Theme, pinned: bool) -> Theme:
    """Pin a theme to keep its items out of re-clustering, or release it to be re-clustered."""
    access.require_write(actor)
    before = snapshot(theme)
    theme.pinned = pinned
    theme.save(update_fields=["pinned", "updated_at"])
    audit.audit_update(actor=actor, instance=theme, before=before, after=snapshot(theme))
    return theme


def themes_recluster_start(*, actor: User, n_themes: int | None = None):  # -> Job
    """Queue a full re-clustering as a background job (it embeds every new item first)."""
    from northstar.core.jobs import job_enqueue

    access.require_write(actor)
    if n_themes is not None and n_themes < 1:
        raise ValidationFailed("Ask for at least one theme.")
    return job_enqueue(
        task="northstar.feedback.tasks.recluster",
        kwargs={"actor_id": actor.pk, "n_themes": n_themes},
        actor=actor,
        title="Re-cluster feedback themes",
        unique_key="feedback:themes-recluster",
    )
