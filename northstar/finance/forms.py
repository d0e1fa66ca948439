"""Forms of the finance pages. They parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from northstar.core.forms import DateField, DateOrderField
from northstar.finance.models import BenefitKind, BusinessCase
from northstar.finance.money import company_currency, company_discount_rate
from northstar.finance.services import BenefitInput, Estimate


class ActualsImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: period (YYYY-MM), cost_centre (or line), category, kind (capex/opex), amount, "
        "currency, and optionally initiative, reference, description.",
    )
    date_order = DateOrderField()


class RateForm(forms.Form):
    currency = forms.CharField(max_length=3, min_length=3, help_text="e.g. USD")
    rate = forms.DecimalField(max_digits=18, decimal_places=8, min_value=Decimal("0.00000001"))
    valid_from = DateField()

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PeopleCostForm(forms.Form):
    month = DateField(help_text="Any day of the month to derive.")


def _money(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, min_value=Decimal("0"), initial=0)


class BusinessCaseForm(forms.Form):
    """A case on one page: three-point investment and running cost, and one line per kind of benefit."""

    probability = forms.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=0,
        max_value=1,
        initial=Decimal("0.7"),
        help_text="Probability of success, 0-1.",
    )
    annual_rate = forms.DecimalField(
        label="Discount rate a year",
        max_digits=5,
        decimal_places=4,
        min_value=0,
        max_value=1,
        help_text="0.10 = 10%.",
    )
    periods_per_year = forms.TypedChoiceField(
        label="Periods", choices=[(4, "Quarters"), (12, "Months")], coerce=int, initial=4
    )
    horizon = forms.IntegerField(min_value=1, max_value=120, initial=12, help_text="Periods ahead.")
    currency = forms.CharField(max_length=3, min_length=3)
    investment_low = _money("One-off investment: low")
    investment_likely = _money("likely")
    investment_high = _money("high")
    running_low = _money("Running cost a period: low")
    running_likely = _money("likely")
    running_high = _money("high")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, case: BusinessCase | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"currency": company_currency(), "annual_rate": company_discount_rate()}
        if case is not None:
            for name in (
                "probability",
                "annual_rate",
                "periods_per_year",
                "horizon",
                "currency",
                "notes",
                "investment_low",
                "investment_likely",
                "investment_high",
                "running_low",
                "running_likely",
                "running_high",
            ):
                initial[name] = getattr(case, name)
            for b in case.benefits.all():
                for part in ("low", "likely", "high", "start", "end"):
                    initial[f"{b.kind}_{part}"] = getattr(b, part)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for kind, label in BenefitKind.choices:
            self.fields[f"{kind}_low"] = forms.DecimalField(
                label=f"{label} a period: low", max_digits=16, decimal_places=2, min_value=0, required=False
            )
            self.fields[f"{kind}_likely"] = forms.DecimalField(
                label="likely", max_digits=16, decimal_places=2, min_value=0, required=False
            )
            self.fields[f"{kind}_high"] = forms.DecimalField(
                label="high", max_digits=16, decimal_places=2, min_value=0, required=False
            )
            self.fields[f"{kind}_start"] = forms.IntegerField(
                label="from period", min_value=1, max_value=120, initial=1, required=False
            )
            self.fields[f"{kind}_end"] = forms.IntegerField(
                label="to period",
                min_value=1,
                max_value=120,
                required=False,
                help_text="Empty: to the horizon.",
            )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        benefits = []
        for kind in BenefitKind.values:
            values = [data.get(f"{kind}_{p}") for p in ("low", "likely", "high")]
            if all(v in (None, "") for v in values):
                continue
            low, likely, high = (v if v is not None else Decimal("0") for v in values)
            benefits.append(
                BenefitInput(
                    kind, Estimate(low, likely, high), data.get(f"{kind}_start") or 1, data.get(f"{kind}_end")
                )
            )
        return {
            "probability": data["probability"],
            "annual_rate": data["annual_rate"],
            "periods_per_year": data["periods_per_year"],
            "horizon": data["horizon"],
            "currency": data["currency"],
            "notes": data.get("notes", ""),
            "investment": Estimate(
                data["investment_low"], data["investment_likely"], data["investment_high"]
            ),
            "running_cost": Estimate(data["running_low"], data["running_likely"], data["running_high"]),
            "benefits": benefits,
        }
