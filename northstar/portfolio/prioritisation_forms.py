"""Forms of the prioritisation pages. They parse input only; the services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.utils import timezone

from northstar.core.forms import DateField, LongTextField, PickerField, choice_field
from northstar.engines.scoring import RICE_IMPACT_SCALE
from northstar.org.models import Person, Product, ProductLine, Skill
from northstar.portfolio import rankings
from northstar.portfolio.forms import _id_choice
from northstar.portfolio.governance import REQUIREMENTS
from northstar.portfolio.models import (
    FRAMEWORK_KEYS,
    CriterionDirection,
    DecisionKind,
    Initiative,
    ReachSource,
    ScoringCriterion,
    ScoringInput,
    Stage,
)
from northstar.portfolio.scoring import KANO_PAIRS, framework_label

FRAMEWORK_CHOICES = [(k, framework_label(k)) for k in FRAMEWORK_KEYS]


class RankFilterForm(forms.Form):
    """Filters of a ranked list; each dropdown is one query. Objectives appear once strategy offers them."""

    search = forms.CharField(
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": "Title", "autocomplete": "off"}),
    )
    stage = forms.ChoiceField(required=False, choices=[("", "Any stage"), *Stage.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        if rankings.objective_support() is not None:
            self.fields["objective"] = PickerField(
                "objective",
                queryset=apps.get_model("strategy", "Objective").objects.all(),
                label="Objective",
                required=False,
            )
        self.order_fields(["search", "line", "product", "stage", "objective"])

    def filters(self) -> rankings.RankFilters:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return rankings.RankFilters(
            line=data.get("line"),
            product=data.get("product"),
            stage=data.get("stage", ""),
            objective=data["objective"].pk if data.get("objective") else None,
            search=data.get("search", "").strip(),
        )


def _number(label: str, help_text: str = "", **attrs: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", **attrs}),
    )


class ScoringForm(forms.Form):
    """Every scoring input of one initiative; a blank field clears that input."""

    reach = _number("Reach", "People or accounts affected per quarter.", min=0)
    reach_source = forms.ChoiceField(choices=ReachSource.choices, label="Reach comes from")
    impact = forms.TypedChoiceField(
        required=False,
        coerce=float,
        empty_value=None,
        label="RICE impact",
        choices=[("", "—"), *[(f"{v:g}", f"{v:g} · {name}") for v, name in RICE_IMPACT_SCALE]],
    )
    confidence = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Confidence %", help_text="How sure are we, 0-100."
    )
    effort = _number("Rough effort", "Team-weeks, used until there is a per-skill estimate.", min=0)
    ice_impact = _number("ICE impact", "1-10.", min=1, max=10)
    ease = _number("Ease", "1-10; 10 is easiest.", min=1, max=10)
    value = _number("Value", "0-10, for value vs effort.", min=0, max=10)
    business_value = _number("User-business value", "WSJF, relative (1, 2, 3, 5, 8, 13, 20).", min=0)
    time_criticality = _number("Time criticality", "WSJF, relative.", min=0)
    risk_reduction = _number("Risk reduction / opportunity enablement", "WSJF, relative.", min=0)
    job_size = _number("Job size", "WSJF, relative; above 0.", min=0)

    def __init__(
        self,
        *args: Any,
        inputs: ScoringInput | None = None,
        ratings: dict[str, float] | None = None,
        criteria: list[ScoringCriterion] = (),  # type: ignore[assignment]
        only: tuple[str, ...] | None = None,
        **kwargs: Any,
    ) -> None:
        if inputs is not None:
            initial = {name: getattr(inputs, name) for name in self.base_fields}
            initial["impact"] = f"{inputs.impact:g}" if inputs.impact is not None else ""
            for category in KANO_PAIRS:
                initial[f"kano_{category}"] = (inputs.kano or {}).get(category, 0)
            for criterion in criteria:
                initial[f"criterion_{criterion.key}"] = (ratings or {}).get(criterion.key)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for category in KANO_PAIRS:
            self.fields[f"kano_{category}"] = forms.IntegerField(
                required=False, min_value=0, label=f"Kano: {category}", help_text="Respondents."
            )
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.key}"] = _number(
                criterion.label,
                f"{criterion.minimum:g}-{criterion.maximum:g}"
                + ("; lower is better" if criterion.direction == "cost" else ""),
            )
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        result: dict[str, Any] = {}
        ratings: dict[str, float | None] = {}
        kano: dict[str, int] = {}
        kano_given = False
        for name, value in data.items():
            if name.startswith("kano_"):
                kano_given = True
                kano[name.removeprefix("kano_")] = value or 0
            elif name.startswith("criterion_"):
                ratings[name.removeprefix("criterion_")] = value
            else:
                result[name] = value
        if kano_given:
            result["kano"] = kano
        if ratings:
            result["ratings"] = ratings
        return result


class EstimateLineForm(forms.Form):
    skill = forms.ChoiceField(required=False)
    low = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=8)
    likely = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=8)
    high = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=8)

    def __init__(self, *args: Any, skills: list[str] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        choice_field(self, "skill").choices = [("", "—"), *[(s, s) for s in skills]]


class BaseEstimateFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        """The filled rows; a row with a skill but a missing number is sent on for the service to refuse."""
        return [
            {k: form.cleaned_data.get(k) for k in ("skill", "low", "likely", "high")}
            for form in self.forms
            if form.cleaned_data.get("skill")
        ]


EstimateFormSet = cast(
    "type[BaseEstimateFormSet]",
    forms.formset_factory(EstimateLineForm, formset=BaseEstimateFormSet, extra=2),
)


def skill_names() -> list[str]:
    return list(Skill.objects.order_by("name").values_list("name", flat=True))


class DependencyForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("requires", "This requires"), ("blocks", "This blocks")], label="Relationship"
    )
    other = PickerField(
        "initiative",
        queryset=Initiative.objects.all(),
        label="Initiative",
        help_text="Type part of its title.",
    )
    note = forms.CharField(required=False, max_length=200)

    def service_data(self) -> dict[str, Any]:
        return {
            "kind": self.cleaned_data["kind"],
            "other_id": self.cleaned_data["other"].pk,
            "note": self.cleaned_data["note"],
        }


class DecisionForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. “Build passkeys before SSO”.")
    options = LongTextField(
        required=False,
        label="Options considered",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line.",
    )
    decision = LongTextField(widget=forms.Textarea(attrs={"rows": 3}))
    rationale = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    decided_by = PickerField(
        "person", queryset=Person.objects.all(), required=False, help_text="Leave empty for yourself."
    )
    decided_on = DateField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        person = data.pop("decided_by")
        data["decided_by_id"] = person.pk if person else None
        return data


class DecisionFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": "Title, decision, rationale", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *DecisionKind.choices])
    initiative = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"] = _id_choice(
            "Line", "All lines", lambda: list(ProductLine.objects.order_by("name").values_list("id", "name"))
        )

    def filters(self) -> rankings.DecisionFilters:
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return rankings.DecisionFilters(
            search=data.get("search", "").strip(),
            kind=data.get("kind", ""),
            line=data.get("line"),
            initiative=data.get("initiative"),
        )


class GateForm(forms.Form):
    """One checkbox list per stage: what an initiative needs before it may enter that stage."""

    def __init__(self, *args: Any, rules: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(key, req.needs) for key, req in REQUIREMENTS.items()]
        for stage, label in Stage.choices:
            self.fields[stage] = forms.MultipleChoiceField(
                required=False,
                label=f"Entering {label}",
                choices=choices,
                initial=rules.get(stage, []),
                widget=forms.CheckboxSelectMultiple,
            )


class CriterionForm(forms.Form):
    label = forms.CharField(max_length=80)
    key = forms.SlugField(
        max_length=40, required=False, help_text="Short name used by the API; made from the label if empty."
    )
    weight = forms.DecimalField(min_value=0, max_digits=6, decimal_places=2, help_text="Relative weight.")
    direction = forms.ChoiceField(choices=CriterionDirection.choices)
    minimum = forms.DecimalField(max_digits=8, decimal_places=2, initial=0, label="Scale from")
    maximum = forms.DecimalField(max_digits=8, decimal_places=2, initial=10, label="Scale to")
    objective_id = forms.IntegerField(
        required=False,
        min_value=1,
        label="Strategic objective id",
        help_text="Ties the criterion to an objective of the strategy area.",
    )
    position = forms.IntegerField(min_value=0, initial=0, required=False)

    def __init__(self, *args: Any, criterion: ScoringCriterion | None = None, **kwargs: Any) -> None:
        if criterion is not None:
            kwargs.setdefault("initial", {name: getattr(criterion, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        if rankings.objective_support() is not None:
            self.fields["objective_id"] = PickerField(
                "objective",
                queryset=apps.get_model("strategy", "Objective").objects.all(),
                label="Strategic objective",
                required=False,
                help_text="Ties the criterion to an objective of the strategy area.",
            )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        objective = data.get("objective_id")
        data["objective_id"] = getattr(objective, "pk", objective)
        if not data.get("key"):
            data.pop("key", None)
        data["position"] = data.get("position") or 0
        return data


class FrameworksForm(forms.Form):
    active = forms.MultipleChoiceField(
        choices=FRAMEWORK_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label="Active"
    )
