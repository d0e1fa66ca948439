"""Forms for the people pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core.forms import DateField, LongTextField, PickerField, PickerMultipleField, model_choice
from northstar.org.models import Person, ProductLine
from northstar.people.models import (
    CareerLevel,
    Competency,
    Feedback,
    FeedbackKind,
    HireDecision,
    Rating,
    Recommendation,
    Relationship,
    Source,
    Track,
)
from northstar.strategy.models import PlanningPeriod


def _person_picker(**kwargs: Any) -> PickerField:
    """One person, typed by name (the queryset each form sets still decides who may be chosen)."""
    return PickerField("person", **kwargs)


def _people_picker(**kwargs: Any) -> PickerMultipleField:
    return PickerMultipleField("person", **kwargs)


class PeopleFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": "Name or title", "autocomplete": "off"}),
    )
    track = forms.ChoiceField(required=False, choices=[("", "Any track"), *Track.choices])


class ExpectationForm(forms.Form):
    text = LongTextField(label="What is expected", widget=forms.Textarea(attrs={"rows": 5}))

    def service_data(self) -> dict[str, Any]:
        return {"text": self.cleaned_data["text"]}


class CycleForm(forms.Form):
    name = forms.CharField(max_length=120)
    period_start = DateField(label="Period starts")
    period_end = DateField(label="Period ends")
    self_due = DateField(label="Self reviews due")
    feedback_due = DateField(label="360 feedback due")
    manager_due = DateField(label="Manager reviews due")
    participants = _people_picker(queryset=Person.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "participants").queryset = Person.objects.order_by("name").only("id", "name")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["participant_ids"] = [p.pk for p in data.pop("participants")]
        return data


class FeedbackRequestForm(forms.Form):
    reviewer = _person_picker(queryset=Person.objects.none(), label="Ask", empty_label="Choose someone")
    relationship = forms.ChoiceField(choices=Relationship.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "reviewer").queryset = Person.objects.order_by("name").only("id", "name")

    def service_data(self) -> dict[str, Any]:
        return {
            "reviewer_id": self.cleaned_data["reviewer"].pk,
            "relationship": self.cleaned_data["relationship"],
        }


class AssessmentForm(forms.Form):
    """Every competency rated below / meets / above with evidence, then an overall rating."""

    overall = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect, label="Overall")
    summary = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Summary")

    def __init__(self, *args: Any, feedback: Feedback, expectations: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = list(Competency.objects.all())
        for competency in self.competencies:
            self.fields[f"rating_{competency.pk}"] = forms.ChoiceField(
                choices=Rating.choices,
                widget=forms.RadioSelect,
                label=competency.name,
                help_text=expectations.get(competency.pk, ""),
            )
            self.fields[f"evidence_{competency.pk}"] = LongTextField(
                required=False, widget=forms.Textarea(attrs={"rows": 2}), label=f"Evidence: {competency.name}"
            )
        if feedback.kind == FeedbackKind.MANAGER:
            self.fields["promotion_recommended"] = forms.BooleanField(
                required=False, label="Recommend for promotion to the next level"
            )
        # The overall rating and summary read last, after the competencies.
        self.order_fields(
            [f for f in self.fields if f not in ("overall", "summary")] + ["overall", "summary"]
        )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "overall": data["overall"],
            "summary": data["summary"],
            "promotion_recommended": bool(data.get("promotion_recommended")),
            "ratings": {
                c.pk: (data[f"rating_{c.pk}"], data.get(f"evidence_{c.pk}", "")) for c in self.competencies
            },
        }


class CalibrateForm(forms.Form):
    final_rating = forms.ChoiceField(choices=Rating.choices, label="Final rating")
    promotion = forms.BooleanField(required=False, label="Promote to the next level")
    outcome = LongTextField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Outcome the person will read"
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# Hiring -------------------------------------------------------------------------------------------------


class RequisitionForm(forms.Form):
    title = forms.CharField(max_length=160)
    level = forms.ModelChoiceField(queryset=CareerLevel.objects.none(), empty_label=None)
    line = forms.ModelChoiceField(queryset=ProductLine.objects.none(), required=False, empty_label="No line")
    hiring_manager = _person_picker(queryset=Person.objects.none(), empty_label="Choose the hiring manager")
    hiring_team = _people_picker(queryset=Person.objects.none(), required=False)
    annual_cost = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0)
    currency = forms.CharField(max_length=3, initial="EUR")
    description = LongTextField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Empty: drafted from the ladder level.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "level").queryset = CareerLevel.objects.order_by("track", "rank")
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name")
        people = Person.objects.order_by("name").only("id", "name")
        model_choice(self, "hiring_manager").queryset = people
        model_choice(self, "hiring_team").queryset = people

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "level_id": data["level"].pk,
            "line_id": data["line"].pk if data["line"] else None,
            "hiring_manager_id": data["hiring_manager"].pk,
            "hiring_team_ids": [p.pk for p in data["hiring_team"]],
            "annual_cost": data["annual_cost"],
            "currency": data["currency"],
            "description": data["description"],
        }


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField()
    source = forms.ChoiceField(choices=Source.choices)
    applied_on = DateField(required=False, help_text="Empty: today.")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class InterviewPlanForm(forms.Form):
    interviewer = _person_picker(queryset=Person.objects.none(), empty_label="Choose an interviewer")
    competencies = forms.ModelMultipleChoiceField(
        queryset=Competency.objects.none(), widget=forms.CheckboxSelectMultiple(attrs={"class": "checklist"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "interviewer").queryset = Person.objects.order_by("name").only("id", "name")
        model_choice(self, "competencies").queryset = Competency.objects.all()

    def service_data(self) -> dict[str, Any]:
        return {
            "interviewer_id": self.cleaned_data["interviewer"].pk,
            "competency_ids": [c.pk for c in self.cleaned_data["competencies"]],
        }


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(choices=HireDecision.Kind.choices, label="Proposal")
    reason = LongTextField(widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("yes", "Approve"), ("no", "Decline")], coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    note = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ScorecardForm(forms.Form):
    recommendation = forms.ChoiceField(choices=Recommendation.choices, widget=forms.RadioSelect)
    notes = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, interview: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = list(interview.competencies.all())
        for competency in self.competencies:
            self.fields[f"rating_{competency.pk}"] = forms.ChoiceField(
                choices=Rating.choices, widget=forms.RadioSelect, label=competency.name
            )
            self.fields[f"evidence_{competency.pk}"] = LongTextField(
                required=False, widget=forms.Textarea(attrs={"rows": 2}), label=f"Evidence: {competency.name}"
            )
        self.order_fields([f for f in self.fields if f not in ("recommendation", "notes")])

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "recommendation": data["recommendation"],
            "notes": data["notes"],
            "ratings": {
                c.pk: (data[f"rating_{c.pk}"], data.get(f"evidence_{c.pk}", "")) for c in self.competencies
            },
        }


# 1:1s and growth ------------------------------------------------------------------------------------------


class OneOnOneForm(forms.Form):
    report = forms.ModelChoiceField(queryset=Person.objects.none(), empty_label="Choose a direct report")
    cadence_days = forms.IntegerField(min_value=1, max_value=90, initial=7, label="Every (days)")
    next_on = DateField(required=False, label="First one on")

    def __init__(self, *args: Any, manager_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "report").queryset = Person.objects.filter(manager_id=manager_id).order_by("name")

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TextForm(forms.Form):
    text = LongTextField(widget=forms.Textarea(attrs={"rows": 2}))


class GoalForm(forms.Form):
    competency = forms.ModelChoiceField(queryset=Competency.objects.none(), empty_label=None)
    text = LongTextField(widget=forms.Textarea(attrs={"rows": 2}), label="Goal")
    target_date = DateField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "competency").queryset = Competency.objects.all()


class MentoringForm(forms.Form):
    mentor = _person_picker(queryset=Person.objects.none(), empty_label="Choose the mentor")
    mentee = _person_picker(queryset=Person.objects.none(), empty_label="Choose the mentee")
    focus = forms.CharField(max_length=160, required=False, help_text="e.g. stakeholder management")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.order_by("name").only("id", "name")
        model_choice(self, "mentor").queryset = people
        model_choice(self, "mentee").queryset = people

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class HeadcountForm(forms.Form):
    line = forms.ModelChoiceField(queryset=ProductLine.objects.none(), empty_label=None, label="Product line")
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.none(), empty_label=None)
    slots = forms.IntegerField(min_value=0, max_value=1000, label="Approved slots")
    cost_per_slot = forms.DecimalField(
        min_value=0, max_digits=12, decimal_places=2, label="Yearly cost per slot"
    )
    currency = forms.CharField(max_length=3, initial="EUR")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "line").queryset = ProductLine.objects.order_by("name")
        model_choice(self, "period").queryset = PlanningPeriod.objects.order_by("start")

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "line_id": data["line"].pk,
            "period_id": data["period"].pk,
            "slots": data["slots"],
            "cost_per_slot": data["cost_per_slot"],
            "currency": data["currency"],
        }
