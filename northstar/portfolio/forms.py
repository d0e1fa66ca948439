"""Forms for the initiative list filters and the initiative create/edit pages.

Every choice list is a single query (no per-option lookups), so the list page's query count stays
fixed however many initiatives, products or people there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from northstar.core.forms import LongTextField, PickerField, QuickSelect, model_choice
from northstar.org.models import Person, Product, ProductLine
from northstar.portfolio.models import Initiative, Kind, Stage, Tag
from northstar.portfolio.selectors import InitiativeFilters


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.line.name} · {obj.name}"


def _products() -> Any:
    return (
        Product.objects.select_related("line").only("id", "name", "line__name").order_by("line__name", "name")
    )


def _loaded_once(load: Callable[[], list[tuple[Any, str]]]) -> Callable[[], list[tuple[Any, str]]]:
    """Choices that cost one query the first time they are needed (to check or to render), none after."""
    cache: list[list[tuple[Any, str]]] = []

    def choices() -> list[tuple[Any, str]]:
        if not cache:
            cache.append(load())
        return cache[0]

    return choices


def _id_choice(label: str, empty: str, load: Callable[[], list[tuple[Any, str]]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=_loaded_once(lambda: [("", empty), *load()]),
        widget=QuickSelect,
    )


class InitiativeFilterForm(forms.Form):
    """The list filters. Each dropdown is one query, shared by validation and rendering."""

    search = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Title or description", "autocomplete": "off"}),
    )
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Stage.choices], widget=QuickSelect)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices], widget=QuickSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, so each request gets fresh options, loaded at most once.
        self.fields["line"] = _id_choice(
            "Line", "All lines", lambda: list(ProductLine.objects.order_by("name").values_list("id", "name"))
        )
        self.fields["product"] = _id_choice(
            "Product",
            "All products",
            lambda: [
                (pk, f"{line} · {name}")
                for pk, name, line in Product.objects.order_by("line__name", "name").values_list(
                    "id", "name", "line__name"
                )
            ],
        )
        self.fields["owner"] = PickerField(
            "person", queryset=Person.objects.all(), label="Owner", required=False
        )
        self.fields["tag"] = forms.ChoiceField(
            label="Tag",
            required=False,
            choices=_loaded_once(
                lambda: (
                    [("", "Any tag")]
                    + [(n, n) for n in Tag.objects.order_by("name").values_list("name", flat=True)]
                )
            ),
            widget=QuickSelect,
        )
        self.order_fields(["search", "line", "product", "stage", "owner", "kind", "tag"])

    def filters(self) -> InitiativeFilters:
        """The selector's filters; a stale or mistyped value is dropped rather than refused."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return InitiativeFilters(
            search=data.get("search", "").strip(),
            line=data.get("line"),
            product=data.get("product"),
            stage=data.get("stage", ""),
            owner=data["owner"].pk if data.get("owner") else None,
            kind=data.get("kind", ""),
            tag=data.get("tag", ""),
        )


class InitiativeForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.IDEA)
    stage = forms.ChoiceField(
        choices=Stage.choices, initial=Stage.IDEA, help_text="Later moves use the stage buttons."
    )
    product = ProductChoiceField(
        queryset=Product.objects.none(), required=False, empty_label="No product yet"
    )
    owner = PickerField(
        "person", queryset=Person.objects.all(), required=False, help_text="Leave empty for no owner yet."
    )
    parent = PickerField(
        "initiative",
        queryset=Initiative.all_objects.all(),
        required=False,
        label="Parent initiative",
        help_text="Type part of its title.",
    )
    description = LongTextField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, lists, links.",
    )
    problem_statement = LongTextField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Whose problem, and why it matters now. Discovery may require it.",
    )
    evidence_notes = LongTextField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Feedback, data or interviews that show the problem is real.",
    )
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, e.g. enterprise, tech-debt."
    )

    def __init__(self, *args: Any, initiative: Initiative | None = None, **kwargs: Any) -> None:
        if initiative is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": initiative.title,
                    "kind": initiative.kind,
                    "product": initiative.product_id,
                    "owner": initiative.owner_id,
                    "parent": initiative.parent_id,
                    "description": initiative.description,
                    "problem_statement": initiative.problem_statement,
                    "evidence_notes": initiative.evidence_notes,
                    "tags": ", ".join(t.name for t in initiative.tags.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = initiative is not None
        if initiative is not None:
            del self.fields["stage"]
            if initiative.parent_id:
                self.fields["parent"].help_text = f"Now inside “{initiative.parent}”. Clear to detach it."
        model_choice(self, "product").queryset = _products()

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {
            "title": data["title"],
            "kind": data["kind"],
            "product_id": data["product"].pk if data["product"] else None,
            "owner_id": data["owner"].pk if data["owner"] else None,
            "parent_id": data["parent"].pk if data["parent"] else None,
            "description": data["description"],
            "problem_statement": data["problem_statement"],
            "evidence_notes": data["evidence_notes"],
            "tags": [t.strip() for t in data["tags"].split(",") if t.strip()],
        }
        if not self.editing:
            result["stage"] = data["stage"]
        return result
