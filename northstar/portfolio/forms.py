"""Forms for the initiative list filters and the initiative create/edit pages.

Every choice list is a single query (no per-option lookups), so the list page's query count stays
fixed however many initiatives, products or people there are.
"""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.org.models import Person, Product, ProductLine
from northstar.portfolio.models import Initiative, Kind, Stage, Tag
from northstar.portfolio.selectors import InitiativeFilters


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.line.name} · {obj.name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


def _products() -> Any:
    return (
        Product.objects.select_related("line").only("id", "name", "line__name").order_by("line__name", "name")
    )


def _people() -> Any:
    return Person.objects.only("id", "name").order_by("name")


class InitiativeFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Title or description", "autocomplete": "off"}),
    )
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.none(), required=False, empty_label="All lines"
    )
    product = ProductChoiceField(queryset=Product.objects.none(), required=False, empty_label="All products")
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Stage.choices])
    owner = PersonChoiceField(queryset=Person.objects.none(), required=False, empty_label="Anyone")
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    tag = forms.ChoiceField(required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = ProductLine.objects.only("id", "name").order_by("name")
        self.fields["product"].queryset = _products()
        self.fields["owner"].queryset = _people()
        tags = list(Tag.objects.order_by("name").values_list("name", flat=True))  # one query, used twice
        self.fields["tag"].choices = [("", "Any tag")] + [(name, name) for name in tags]

    def filters(self) -> InitiativeFilters:
        """The selector's filters; invalid input (a stale id, say) is ignored rather than refused."""
        if not self.is_valid():
            search = (self.data.get("search") or "").strip()
            return InitiativeFilters(search=search)
        data = self.cleaned_data
        return InitiativeFilters(
            search=data["search"].strip(),
            line=data["line"].pk if data["line"] else None,
            product=data["product"].pk if data["product"] else None,
            stage=data["stage"],
            owner=data["owner"].pk if data["owner"] else None,
            kind=data["kind"],
            tag=data["tag"],
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
    owner = PersonChoiceField(queryset=Person.objects.none(), required=False, empty_label="No owner yet")
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        label="Parent initiative id",
        help_text="The number in the parent's address, e.g. 42 for /portfolio/42/.",
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, lists, links.",
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
                    "tags": ", ".join(t.name for t in initiative.tags.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = initiative is not None
        if self.editing:
            del self.fields["stage"]
            if initiative.parent_id:
                self.fields["parent"].help_text = f"Now inside “{initiative.parent}”. Clear to detach it."
        self.fields["product"].queryset = _products()
        self.fields["owner"].queryset = _people()

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {
            "title": data["title"],
            "kind": data["kind"],
            "product_id": data["product"].pk if data["product"] else None,
            "owner_id": data["owner"].pk if data["owner"] else None,
            "parent_id": data["parent"],
            "description": data["description"],
            "tags": [t.strip() for t in data["tags"].split(",") if t.strip()],
        }
        if not self.editing:
            result["stage"] = data["stage"]
        return result
