"""Forms of the strategy pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from northstar.core.forms import (
    PICK_TO_CHANGE,
    DateField,
    LongTextField,
    PickerField,
    choice_field,
    model_choice,
)
from northstar.org.models import Person, ProductLine, Team
from northstar.portfolio.models import Initiative
from northstar.strategy.models import (
    Direction,
    KeyResult,
    Metric,
    Objective,
    PlanningPeriod,
    VisionVersion,
)


def _id(obj: Any) -> int | None:
    return obj.pk if obj is not None else None


class PeriodForm(forms.Form):
    name = forms.CharField(max_length=20, help_text='e.g. "2026-Q3".')
    kind = forms.ChoiceField(choices=PlanningPeriod.Kind.choices)
    start = DateField()
    end = DateField(help_text="The last day of the period.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class VisionForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = LongTextField(
        label="Vision and strategy",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Markdown. Where the product is going, for whom, and the few bets that get it there.",
    )
    note = forms.CharField(
        max_length=200, required=False, label="What changed", help_text="Kept with the version."
    )

    # The version this edit starts from: saving over a newer one shows both (see core.concurrency).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, current: VisionVersion | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"version": current.number if current is not None else 0}
        if current is not None:
            initial.update(title=current.title, body=current.body)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["based_on"] = data.pop("version")
        return data


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=200)
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.none(), empty_label=None)
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.none(),
        required=False,
        empty_label="—",
        help_text="For a product-line objective. Leave line and team empty for a company objective.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="—", help_text="For a team objective."
    )
    parent = PickerField(
        "objective",
        queryset=Objective.objects.none(),
        required=False,
        help_text="The higher-level objective this one serves; leave empty at the top of the cascade.",
    )
    owner = PickerField("person", queryset=Person.objects.all())
    weight = forms.DecimalField(
        min_value=0, max_digits=6, decimal_places=2, initial=1, help_text="How much it counts in its parent."
    )
    description = LongTextField(
        required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown."
    )

    def __init__(self, *args: Any, objective: Objective | None = None, **kwargs: Any) -> None:
        if objective is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": objective.title,
                    "period": objective.period_id,
                    "line": objective.line_id,
                    "team": objective.team_id,
                    "parent": objective.parent_id,
                    "owner": objective.owner_id,
                    "weight": objective.weight,
                    "description": objective.description,
                },
            )
        super().__init__(*args, **kwargs)
        model_choice(self, "period").queryset = PlanningPeriod.objects.order_by("-start")
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name")
        model_choice(self, "team").queryset = Team.objects.select_related("line").order_by("name")
        # Django calls the field's own label_from_instance; these labels are per form.
        team = model_choice(self, "team")
        team.label_from_instance = lambda obj: f"{obj.name} ({obj.line.name})"  # type: ignore[method-assign]
        parents = Objective.objects.all()
        model_choice(self, "parent").queryset = (
            parents.exclude(pk=objective.pk) if objective is not None else parents
        )

    def clean(self) -> dict[str, Any]:
        data = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        if data.get("line") and data.get("team"):
            self.add_error(
                "team", "Choose a line or a team, not both: a team objective belongs to its team's line."
            )
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "period_id": d["period"].pk,
            "line_id": _id(d["line"]),
            "team_id": _id(d["team"]),
            "parent_id": _id(d["parent"]),
            "owner_id": d["owner"].pk,
            "weight": d["weight"],
            "description": d["description"],
        }


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=KeyResult.Kind.choices)
    metric = PickerField(
        "metric",
        queryset=Metric.objects.all(),
        required=False,
        label="KPI",
        help_text="Bound to a KPI, the current value follows the KPI's latest value. Leave empty for none.",
    )
    direction = forms.ChoiceField(choices=Direction.choices)
    baseline = forms.FloatField(required=False, help_text="Where it stood when the objective was set.")
    target = forms.FloatField(required=False)
    unit = forms.CharField(max_length=30, required=False, help_text='e.g. "%", "merchants", "ms".')
    owner = PickerField(
        "person",
        queryset=Person.objects.all(),
        required=False,
        help_text="Leave empty for the objective's owner.",
    )
    weight = forms.DecimalField(min_value=0, max_digits=6, decimal_places=2, initial=1)

    def __init__(self, *args: Any, key_result: KeyResult | None = None, **kwargs: Any) -> None:
        if key_result is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": key_result.title,
                    "kind": key_result.kind,
                    "metric": key_result.metric_id,
                    "direction": key_result.direction,
                    "baseline": key_result.baseline,
                    "target": key_result.target,
                    "unit": key_result.unit,
                    "owner": key_result.owner_id,
                    "weight": key_result.weight,
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "kind": d["kind"],
            "metric_id": _id(d["metric"]),
            "direction": d["direction"],
            "baseline": d["baseline"],
            "target": d["target"],
            "unit": d["unit"],
            "owner_id": _id(d["owner"]),
            "weight": d["weight"],
        }


class CheckInForm(forms.Form):
    value = forms.FloatField(required=False)
    confidence = forms.IntegerField(
        min_value=0, max_value=10, initial=7, help_text="0 = will not happen, 10 = certain."
    )
    comment = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, key_result: KeyResult, **kwargs: Any) -> None:
        """The value's help fits the key result: done or not for a milestone, its unit for a metric."""
        super().__init__(*args, **kwargs)
        value = self.fields["value"]
        if key_result.kind == KeyResult.Kind.MILESTONE:
            value.help_text = "1 when done, 0 when not yet."
        else:
            unit = f" in {key_result.unit}" if key_result.unit else ""
            value.label = f"Value{unit}"
            value.help_text = "Where it stands now"
            if key_result.baseline is not None and key_result.target is not None:
                value.help_text += f", on the way from {key_result.baseline:g} to {key_result.target:g}"
            value.help_text += "."
            if key_result.metric_id:
                value.help_text += " Leave it empty to use the KPI's latest value."


class MetricForm(forms.Form):
    name = forms.CharField(max_length=120)
    key = forms.SlugField(
        max_length=60, help_text="Used in CSV files and the API, e.g. weekly_active_merchants."
    )
    unit = forms.CharField(max_length=30, required=False)
    direction = forms.ChoiceField(choices=Direction.choices, label="Good direction")
    aggregation = forms.ChoiceField(
        choices=Metric.Aggregation.choices, help_text=Metric._meta.get_field("aggregation").help_text
    )
    target = forms.FloatField(required=False)
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.none(), required=False, empty_label="Company-wide", label="Product line"
    )
    drives = PickerField(
        "metric",
        queryset=Metric.objects.none(),
        required=False,
        help_text="The metric this one is an input to, in the north-star tree; empty for a top metric.",
    )
    is_north_star = forms.BooleanField(required=False, label="This is the north-star metric")
    description = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, metric: Metric | None = None, **kwargs: Any) -> None:
        if metric is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": metric.name,
                    "key": metric.key,
                    "unit": metric.unit,
                    "direction": metric.direction,
                    "aggregation": metric.aggregation,
                    "target": metric.target,
                    "line": metric.line_id,
                    "drives": metric.drives_id,
                    "is_north_star": metric.is_north_star,
                    "description": metric.description,
                },
            )
        super().__init__(*args, **kwargs)
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name")
        others = Metric.objects.all()
        model_choice(self, "drives").queryset = others.exclude(pk=metric.pk) if metric else others

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "key": d["key"],
            "unit": d["unit"],
            "direction": d["direction"],
            "aggregation": d["aggregation"],
            "target": d["target"],
            "line_id": _id(d["line"]),
            "drives_id": _id(d["drives"]),
            "is_north_star": d["is_north_star"],
            "description": d["description"],
        }


class MetricValueForm(forms.Form):
    date = DateField()
    value = forms.FloatField()
    dimension = forms.CharField(max_length=60, required=False, help_text="Optional, e.g. a region.")


class AlignmentForm(forms.Form):
    initiative = PickerField(
        "initiative",
        queryset=Initiative.objects.all(),
        help_text="Type part of its title.",
        purpose=PICK_TO_CHANGE,
    )
    target = forms.ChoiceField(label="Objective or key result")
    weight = forms.DecimalField(min_value=0.01, max_digits=6, decimal_places=2, initial=1)

    def __init__(self, *args: Any, objectives: list[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        for o in objectives:
            choices.append((f"o{o.pk}", f"{o.level_label}: {o.title}"))
            choices += [(f"k{kr.pk}", f"    ↳ {kr.title}") for kr in o.key_results.all()]
        choice_field(self, "target").choices = choices

    def clean_initiative(self) -> int:
        return self.cleaned_data["initiative"].pk
