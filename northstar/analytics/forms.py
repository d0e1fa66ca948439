"""Forms of the analytics pages: they parse input into service arguments; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.analytics.models import Funnel, Site
from northstar.analytics.selectors import MEASURES
from northstar.core.forms import PICK_TO_CHANGE, PickerField, model_choice
from northstar.org.models import Product
from northstar.portfolio.models import Initiative
from northstar.strategy.models import Metric


class SiteForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.select_related("line").order_by("name"))
    name = forms.CharField(max_length=120, help_text='e.g. "Checkout web app".')
    allowed_origins = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. https://app.example.com. Empty: any origin may send.",
    )
    retention_days = forms.IntegerField(
        min_value=1, max_value=730, initial=90, help_text="Days events are kept."
    )
    consent_required = forms.BooleanField(
        required=False, help_text="Keep events only from visitors who consented (the snippet's consent flag)."
    )

    active = forms.BooleanField(required=False, initial=True, help_text="Take events (off: refuse the key).")

    def __init__(self, *args: Any, site: Site | None = None, **kwargs: Any) -> None:
        if site is not None:
            kwargs.setdefault(
                "initial",
                {
                    "active": site.active,
                    "product": site.product_id,
                    "name": site.name,
                    "allowed_origins": site.allowed_origins,
                    "retention_days": site.retention_days,
                    "consent_required": site.consent_required,
                },
            )
        super().__init__(*args, **kwargs)
        if site is not None:
            del self.fields["product"]  # a site stays with its product
        else:
            del self.fields["active"]  # a new site takes events

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FunnelForm(forms.Form):
    name = forms.CharField(max_length=120, help_text='e.g. "Cart to payment".')
    steps = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One step per line: a page path (* matches anything, e.g. /checkout/*) or event:NAME "
        "for a custom event. Between 2 and 10 steps.",
    )
    window_hours = forms.IntegerField(
        min_value=1, max_value=24 * 90, initial=24, help_text="How long after the first step a user may take."
    )

    def service_data(self) -> dict[str, Any]:
        from northstar.analytics.services import parse_steps

        data = dict(self.cleaned_data)
        data["steps"] = parse_steps(data["steps"])
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with columns at, type, visitor, path (and optionally user, account, "
        "name, selector, x, y, dead, value)."
    )


class EvidenceForm(forms.Form):
    """Link a friction issue or a funnel step to an initiative (the hidden fields name the issue)."""

    initiative = PickerField("initiative", queryset=Initiative.objects.all(), purpose=PICK_TO_CHANGE)
    signal = forms.CharField(max_length=20, widget=forms.HiddenInput)
    path = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    selector = forms.CharField(max_length=300, required=False, widget=forms.HiddenInput)
    funnel = forms.IntegerField(required=False, widget=forms.HiddenInput)
    step = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)
    users = forms.IntegerField(required=False, min_value=0, max_value=1_000_000_000, widget=forms.HiddenInput)
    note = forms.CharField(max_length=300, required=False)


class KpiForm(forms.Form):
    """Which KPI to fill from this site's events, with what."""

    metric = PickerField("metric", queryset=Metric.objects.all(), label="KPI")
    measure = forms.ChoiceField(choices=[(k, v[0]) for k, v in MEASURES.items()])
    funnel = forms.ModelChoiceField(
        queryset=Funnel.objects.none(), required=False, help_text="For conversion."
    )

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "funnel").queryset = Funnel.objects.filter(site=site).order_by("name")
