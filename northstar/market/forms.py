"""Forms of the market pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core.forms import (
    PICK_TO_CHANGE,
    DateField,
    DateOrderField,
    LongTextField,
    PickerField,
    PickerMultipleField,
)
from northstar.feedback.models import Segment as CustomerSegment
from northstar.market.imports import PRESETS
from northstar.market.models import Capability, Competitor, ResearchNote, Segment, SizeEstimate
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.strategy.models import Objective


class SegmentForm(forms.Form):
    name = forms.CharField(max_length=120)
    dimension = forms.ChoiceField(choices=Segment.Dimension.choices)
    customer_segment = forms.ChoiceField(
        choices=[("", "—"), *CustomerSegment.choices],
        required=False,
        label="Our customers filed under",
        help_text="Their annual revenue counts as ours in this segment (our share).",
    )
    currency = forms.CharField(max_length=3, initial="EUR")
    description = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, segment: Segment | None = None, **kwargs: Any) -> None:
        if segment is not None:
            kwargs.setdefault(
                "initial",
                {
                    f: getattr(segment, f)
                    for f in ("name", "dimension", "customer_segment", "currency", "description")
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EstimateForm(forms.Form):
    method = forms.ChoiceField(choices=SizeEstimate.Method.choices)
    as_of = DateField(label="As of")
    source = forms.CharField(max_length=300, help_text="A study, an analyst report, our own CRM model.")
    source_url = forms.URLField(required=False, assume_scheme="https", label="Source address")
    tam = forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2, label="TAM a year")
    sam = forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2, label="SAM a year")
    som = forms.DecimalField(required=False, min_value=0, max_digits=16, decimal_places=2, label="SOM a year")
    accounts = forms.IntegerField(
        required=False, min_value=0, max_value=2_000_000_000, help_text="Bottom-up only."
    )
    serviceable_accounts = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    obtainable_accounts = forms.IntegerField(required=False, min_value=0, max_value=2_000_000_000)
    annual_price = forms.DecimalField(
        required=False, min_value=0, max_digits=16, decimal_places=2, help_text="Per account, bottom-up only."
    )
    spread = forms.DecimalField(
        min_value=0, max_value=0.99, max_digits=4, decimal_places=2, initial="0.2",
        help_text="How unsure: 0.2 shows ±20 %.",
    )  # fmt: skip
    growth_rate = forms.DecimalField(
        min_value=-0.99, max_value=99, max_digits=5, decimal_places=3, initial="0",
        help_text="Assumed annual growth: 0.12 = 12 % a year.",
    )  # fmt: skip
    note = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ServesForm(forms.Form):
    objectives = PickerMultipleField("objective", queryset=Objective.objects.none(), required=False)
    initiatives = PickerMultipleField(
        "initiative", queryset=Initiative.objects.none(), required=False, purpose=PICK_TO_CHANGE
    )

    def __init__(self, *args: Any, segment: Segment | None = None, **kwargs: Any) -> None:
        if segment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "objectives": list(segment.objectives.all()),
                    "initiatives": list(segment.initiatives.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = Objective.objects.select_related("period")  # type: ignore[attr-defined]
        self.fields["initiatives"].queryset = Initiative.objects.all()  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {
            "objective_ids": [o.pk for o in self.cleaned_data["objectives"]],
            "initiative_ids": [i.pk for i in self.cleaned_data["initiatives"]],
        }


class CompetitorForm(forms.Form):
    name = forms.CharField(max_length=120)
    website = forms.URLField(required=False, assume_scheme="https")
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.none(), required=False, help_text="The segments it sells to."
    )
    positioning = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    pricing_notes = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    strengths = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    weaknesses = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    links = LongTextField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="One address per line."
    )

    def __init__(self, *args: Any, competitor: Competitor | None = None, **kwargs: Any) -> None:
        if competitor is not None:
            initial = {
                f: getattr(competitor, f)
                for f in (
                    "name",
                    "website",
                    "positioning",
                    "pricing_notes",
                    "strengths",
                    "weaknesses",
                    "links",
                )
            }
            initial["segments"] = list(competitor.segments.all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = Segment.objects.all()  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["segment_ids"] = [s.pk for s in data.pop("segments")]
        return data


class CapabilityForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=500, required=False)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RatingForm(forms.Form):
    """One cell of the matrix: `column` is "p<product id>" or "c<competitor id>"."""

    capability = forms.ModelChoiceField(queryset=Capability.objects.all())
    column = forms.RegexField(regex=r"^[pc]\d{1,12}$")
    score = forms.TypedChoiceField(choices=[(i, str(i)) for i in range(6)], coerce=int)
    note = forms.CharField(max_length=300, required=False)
    rated_on = DateField()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        column = data.get("column")
        if column:
            pk = int(column[1:])
            model = Product if column[0] == "p" else Competitor
            found = model.objects.filter(pk=pk).first()
            if found is None:
                self.add_error("column", "That product or competitor no longer exists.")
            data["subject"] = found
        return data

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        subject = d["subject"]
        return {
            "capability": d["capability"],
            "score": d["score"],
            "note": d["note"],
            "rated_on": d["rated_on"],
            "product": subject if isinstance(subject, Product) else None,
            "competitor": subject if isinstance(subject, Competitor) else None,
        }


class ImportForm(forms.Form):
    preset = forms.ChoiceField(choices=[(p.key, p.label) for p in PRESETS.values()])
    file = forms.FileField(help_text="CSV exported from the CRM (any common encoding and delimiter).")
    date_order = DateOrderField()


class ReasonLinkForm(forms.Form):
    reason = forms.CharField(max_length=200, widget=forms.HiddenInput)
    initiative = PickerField(
        "initiative", queryset=Initiative.objects.all(), label="Evidence for the idea", purpose=PICK_TO_CHANGE
    )


class NoteForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ResearchNote.Kind.choices)
    noted_on = DateField(label="Dated")
    tags = forms.CharField(max_length=300, required=False, help_text="Comma-separated, e.g. ai, pricing.")
    source_url = forms.URLField(required=False, assume_scheme="https", label="Source address")
    body = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown.")
    segments = forms.ModelMultipleChoiceField(queryset=Segment.objects.none(), required=False)
    objectives = PickerMultipleField("objective", queryset=Objective.objects.none(), required=False)
    initiatives = PickerMultipleField("initiative", queryset=Initiative.objects.none(), required=False)

    def __init__(self, *args: Any, note: ResearchNote | None = None, **kwargs: Any) -> None:
        if note is not None:
            initial: dict[str, Any] = {
                f: getattr(note, f) for f in ("title", "kind", "noted_on", "tags", "source_url", "body")
            }
            for name in ("segments", "objectives", "initiatives"):
                initial[name] = list(getattr(note, name).all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = Segment.objects.all()  # type: ignore[attr-defined]
        self.fields["objectives"].queryset = Objective.objects.all()  # type: ignore[attr-defined]
        self.fields["initiatives"].queryset = Initiative.objects.all()  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("segments", "objectives", "initiatives"):
            data[f"{name[:-1]}_ids"] = [o.pk for o in data.pop(name)]
        return data
