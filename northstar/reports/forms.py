"""Forms of the reports pages. They only parse input; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from northstar.core.forms import DateField, LongTextField
from northstar.org.models import Person, ProductLine
from northstar.reports.models import Frequency, PackTemplate, Risk, Status
from northstar.reports.sections import SECTIONS
from northstar.reports.services import MAX_TEMPLATE_BYTES, RiskInput
from northstar.strategy.models import PlanningPeriod

RISK_ROWS = 3


class StatusUpdateForm(forms.Form):
    period = forms.ModelChoiceField(queryset=PlanningPeriod.objects.none(), empty_label=None)
    status = forms.ChoiceField(choices=Status.choices, widget=forms.RadioSelect)
    override_reason = LongTextField(
        required=False,
        label="Why the status differs from the proposal",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only when you choose another status than Northstar proposes.",
    )
    highlights = LongTextField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )
    lowlights = LongTextField(required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown.")
    asks = LongTextField(
        required=False, label="Asks and decisions needed", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, periods: list[PlanningPeriod], line: ProductLine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field: Any = self.fields["period"]
        period_field.queryset = PlanningPeriod.objects.filter(pk__in=[p.pk for p in periods]).order_by(
            "-start"
        )
        people = Person.objects.filter(Q(teams__line=line) | Q(pk=line.director_id)).distinct()
        for n in range(RISK_ROWS):
            self.fields[f"risk_{n}_description"] = forms.CharField(
                required=False, max_length=300, label=f"Risk {n + 1}"
            )
            self.fields[f"risk_{n}_owner"] = forms.ModelChoiceField(
                queryset=people.order_by("name"),
                required=False,
                label="Owner",
                empty_label="No owner",
            )
            self.fields[f"risk_{n}_severity"] = forms.ChoiceField(
                choices=Risk.Severity.choices, initial=Risk.Severity.MEDIUM, label="Severity"
            )
            self.fields[f"risk_{n}_mitigation"] = forms.CharField(
                required=False, max_length=2000, label="Mitigation"
            )

    def risk_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"risk_{n}_{part}"] for part in ("description", "owner", "severity", "mitigation")]
            for n in range(RISK_ROWS)
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("highlights", "lowlights", "asks")]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        risks = [
            RiskInput(
                description=d[f"risk_{n}_description"],
                owner_id=d[f"risk_{n}_owner"].pk if d[f"risk_{n}_owner"] else None,
                severity=d[f"risk_{n}_severity"],
                mitigation=d[f"risk_{n}_mitigation"],
            )
            for n in range(RISK_ROWS)
            if d.get(f"risk_{n}_description", "").strip()
        ]
        return {
            "period": d["period"],
            "status": d["status"],
            "override_reason": d["override_reason"],
            "highlights": d["highlights"],
            "lowlights": d["lowlights"],
            "asks": d["asks"],
            "risks": risks,
        }


class PackCreateForm(forms.Form):
    template = forms.ChoiceField(choices=PackTemplate.choices)
    line = forms.ModelChoiceField(
        queryset=ProductLine.objects.order_by("name"),
        required=False,
        help_text="For a product-line review.",
        empty_label="All lines",
    )
    cut_off = DateField(label="Cut-off")
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for e.g. “Board pack 2026-Q3”."
    )

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"template": d["template"], "line": d["line"], "cut_off": d["cut_off"], "title": d["title"]}


class PackEditForm(forms.Form):
    """Title, cut-off, and per section of the registry: included?, its place, its narrative."""

    title = forms.CharField(max_length=200)
    cut_off = DateField(label="Cut-off")

    def __init__(self, *args: Any, chosen: dict[str, tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order = sorted(SECTIONS, key=lambda k: (k not in chosen, chosen.get(k, (99, ""))[0]))
        self.keys = order
        for place, key in enumerate(order, start=1):
            position, narrative = chosen.get(key, (place, ""))
            self.fields[f"include_{key}"] = forms.BooleanField(
                required=False, initial=key in chosen, label="Include"
            )
            self.fields[f"position_{key}"] = forms.IntegerField(
                min_value=1, max_value=99, initial=position + 1 if key in chosen else place, label="Place"
            )
            self.fields[f"narrative_{key}"] = LongTextField(
                required=False,
                initial=narrative,
                label="Narrative",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Markdown, shown above the section's figures (and in the PPTX notes).",
            )

    def section_rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                key,
                SECTIONS[key].title,
                self[f"include_{key}"],
                self[f"position_{key}"],
                self[f"narrative_{key}"],
            )
            for key in self.keys
        ]

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        picked = sorted(
            (d[f"position_{key}"], n, key) for n, key in enumerate(self.keys) if d.get(f"include_{key}")
        )
        return {
            "title": d["title"],
            "cut_off": d["cut_off"],
            "sections": [(key, d[f"narrative_{key}"]) for _p, _n, key in picked],
        }


class ShareForm(forms.Form):
    label = forms.CharField(max_length=120, help_text="Who gets it, e.g. “Board, Q3 meeting”.")


class SlideTemplateForm(forms.Form):
    name = forms.CharField(max_length=120, required=False)
    file = forms.FileField(
        label="PowerPoint template (.pptx)", help_text=f"At most {MAX_TEMPLATE_BYTES // (1024 * 1024)} MB."
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=[("", "No digest"), *Frequency.choices], required=False, label="Email me a digest"
    )
