"""Forms of the roadmap pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core.forms import DateField, LongTextField, PickerField, model_choice
from northstar.org.models import ProductLine, Skill, Team
from northstar.planning.models import AssumptionKind, Scenario, ValueSource
from northstar.portfolio.models import Initiative, Stage, Tag
from northstar.strategy.models import Objective, PlanningPeriod


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    base = forms.ModelChoiceField(
        queryset=Scenario.objects.none(),
        required=False,
        empty_label="Start from scratch",
        help_text="Copy the assumptions of another scenario, then change them.",
    )
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.none(), required=False, empty_label="Whole portfolio"
    )
    first_period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.none(), empty_label=None)
    last_period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.none(), empty_label=None)
    value_source = forms.ChoiceField(
        choices=ValueSource.choices,
        label="Value from",
        help_text="RICE and WSJF are multiplied back by effort: the optimiser weighs effort itself.",
    )
    budget_factor = forms.DecimalField(
        min_value=0, max_digits=5, decimal_places=2, initial=1, help_text="0.9 = budget -10%."
    )
    capacity_factor = forms.DecimalField(min_value=0, max_digits=5, decimal_places=2, initial=1)
    discount = forms.DecimalField(
        min_value=0,
        max_value=0.9,
        max_digits=4,
        decimal_places=3,
        initial=0.05,
        label="Value lost per period of delay",
        help_text="0.05 = a quarter later is worth 5% less.",
    )
    stages = forms.MultipleChoiceField(
        choices=[(s.value, s.label) for s in Stage],
        initial=[Stage.DISCOVERY, Stage.PLANNED, Stage.IN_DELIVERY],
        widget=forms.CheckboxSelectMultiple,
        help_text="Initiatives in these stages may be scheduled.",
    )
    time_limit = forms.IntegerField(min_value=1, max_value=600, initial=20, label="Time limit (seconds)")

    def __init__(
        self, *args: Any, scenario: Scenario | None = None, creating: bool = True, **kwargs: Any
    ) -> None:
        if scenario is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": scenario.name,
                "description": scenario.description,
                "line": scenario.line_id,
                "first_period": scenario.first_period_id,
                "last_period": scenario.last_period_id,
                "value_source": scenario.value_source,
                "budget_factor": scenario.budget_factor,
                "capacity_factor": scenario.capacity_factor,
                "discount": scenario.discount,
                "stages": scenario.stages,
                "time_limit": scenario.time_limit,
            }
        super().__init__(*args, **kwargs)
        periods = PlanningPeriod.objects.order_by("start")
        model_choice(self, "first_period").queryset = periods
        model_choice(self, "last_period").queryset = periods
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name")
        if creating:
            model_choice(self, "base").queryset = Scenario.objects.order_by("name")
        else:
            del self.fields["base"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["description"] = data.get("description") or ""
        return data


class AssumptionForm(forms.Form):
    kind = forms.ChoiceField(choices=AssumptionKind.choices, label="Rule")
    initiative = PickerField("initiative", queryset=Initiative.objects.none(), required=False)
    period = forms.ModelChoiceField(
        queryset=PlanningPeriod.objects.none(), required=False, label="Period (from)"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    skill = forms.ModelChoiceField(queryset=Skill.objects.none(), required=False)
    objective = PickerField("objective", queryset=Objective.objects.all(), required=False)
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), required=False, help_text="e.g. tech-debt")
    share = forms.DecimalField(required=False, min_value=0, max_value=100, label="Share %")
    people = forms.DecimalField(required=False, max_digits=6, decimal_places=1, help_text="e.g. 2, or -1")
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, initiatives: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "initiative").queryset = (
            initiatives if initiatives is not None else Initiative.objects.all()
        )
        model_choice(self, "period").queryset = PlanningPeriod.objects.order_by("start")
        model_choice(self, "team").queryset = Team.objects.order_by("name")
        model_choice(self, "skill").queryset = Skill.objects.order_by("name")
        model_choice(self, "tag").queryset = Tag.objects.order_by("name")

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class PublishForm(forms.Form):
    title = forms.CharField(max_length=200)
    note = LongTextField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="What stakeholders should know."
    )
    published_on = DateField(required=False, help_text="Today if empty.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ShareLinkForm(forms.Form):
    label = forms.CharField(max_length=120, label="For", help_text="Who gets it, e.g. 'Board, Q3 review'.")
    follow_latest = forms.BooleanField(
        required=False, initial=True, label="Always show the latest published roadmap"
    )
