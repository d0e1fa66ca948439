"""Forms for the people pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core.forms import DateField, LongTextField
from northstar.org.forms import PeopleChoiceField, PersonChoiceField
from northstar.org.models import Person
from northstar.people.models import Competency, Feedback, FeedbackKind, Rating, Relationship, Track


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
    participants = PeopleChoiceField(queryset=Person.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = Person.objects.order_by("name").only("id", "name")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["participant_ids"] = [p.pk for p in data.pop("participants")]
        return data


class FeedbackRequestForm(forms.Form):
    reviewer = PersonChoiceField(queryset=Person.objects.none(), label="Ask", empty_label="Choose someone")
    relationship = forms.ChoiceField(choices=Relationship.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = Person.objects.order_by("name").only("id", "name")

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
