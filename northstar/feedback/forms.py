"""Forms of the feedback area and the portal. They only parse input; services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from northstar.core import uploads
from northstar.core.forms import (
    PICK_TO_CHANGE,
    DateField,
    DateOrderField,
    LongTextField,
    PickerField,
    choice_field,
    model_choice,
)
from northstar.feedback.imports import PRESETS, TARGET_FIELDS
from northstar.feedback.models import Customer, FeedbackItem, Segment, Source, Theme
from northstar.org.models import Product
from northstar.portfolio.models import Initiative


class ItemFilterForm(forms.Form):
    search = forms.CharField(label="Search", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *FeedbackItem.Status.choices]
    )
    source = forms.ChoiceField(label="Source", required=False, choices=[("", "Any source"), *Source.choices])
    theme = forms.ModelChoiceField(label="Theme", required=False, queryset=Theme.objects.none())
    customer = PickerField("customer", label="Customer", required=False, queryset=Customer.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "theme").queryset = Theme.objects.filter(status=Theme.Status.ACTIVE).only(
            "id", "name"
        )
        model_choice(self, "theme").empty_label = "Any theme"

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "new"}
        data = self.cleaned_data
        return {
            "search": data["search"],
            "status": data["status"],
            "source": data["source"],
            "theme": data["theme"].pk if data["theme"] else None,
            "customer": data["customer"].pk if data["customer"] else None,
        }


class ItemForm(forms.Form):
    text = LongTextField(label="What did they say?")
    title = forms.CharField(label="Title", required=False, max_length=300)
    source = forms.ChoiceField(label="Source", choices=Source.choices, initial=Source.MANUAL)
    author_name = forms.CharField(label="Author", required=False, max_length=200)
    author_email = forms.EmailField(label="Author email", required=False)
    customer = PickerField("customer", label="Customer", required=False, queryset=Customer.objects.all())
    received_at = forms.DateTimeField(label="Date", required=False, help_text="Empty means now.")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        customer = data.pop("customer")
        data["customer_id"] = customer.pk if customer else None
        return data


class CustomerForm(forms.Form):
    name = forms.CharField(max_length=200)
    segment = forms.ChoiceField(choices=Segment.choices)
    plan = forms.CharField(required=False, max_length=60)
    region = forms.CharField(required=False, max_length=60)
    annual_revenue = forms.DecimalField(label="Annual revenue", min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(max_length=3, initial="EUR")
    renewal_date = DateField(label="Renewal date", required=False)

    def __init__(self, *args: Any, customer: Customer | None = None, **kwargs: Any) -> None:
        if customer is not None:
            kwargs.setdefault(
                "initial",
                {
                    f: getattr(customer, f)
                    for f in (
                        "name",
                        "segment",
                        "plan",
                        "region",
                        "annual_revenue",
                        "currency",
                        "renewal_date",
                    )
                },
            )
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["currency"] = data["currency"].upper()
        return data


class LinkForm(forms.Form):
    initiative = PickerField(
        "initiative",
        label="Idea or initiative",
        queryset=Initiative.objects.all(),
        help_text="Type part of its title.",
        purpose=PICK_TO_CHANGE,
    )
    quote = forms.CharField(
        label="Quote (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_initiative(self) -> int:
        return self.cleaned_data["initiative"].pk


class IdeaForm(forms.Form):
    title = forms.CharField(label="New idea", max_length=200)
    product = forms.ModelChoiceField(label="Product", required=False, queryset=Product.objects.none())
    quote = forms.CharField(
        label="Quote (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "product").queryset = Product.objects.select_related("line").order_by("name")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File", help_text="A CSV export, an .mbox, an .eml, or a .zip of .eml files."
    )
    preset = forms.ChoiceField(label="Exported from", choices=[(k, p.label) for k, p in PRESETS.items()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" At most {uploads.limit_text()}."

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            uploads.check_size(upload.size)
        except uploads.TooLarge as exc:
            raise forms.ValidationError(exc.message) from None
        return upload


class MappingForm(forms.Form):
    """One column picker per field Northstar can fill, offering the file's own headers."""

    def __init__(
        self, *args: Any, headers: list[str], initial_mapping: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —"), *[(h, h) for h in headers]]
        for name, label in TARGET_FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=name == "text", initial=initial_mapping.get(name, "")
            )
        self.fields["date_order"] = DateOrderField()

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v and k in TARGET_FIELDS}


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200)


class MergeForm(forms.Form):
    others = forms.ModelMultipleChoiceField(
        label="Merge these themes into this one", queryset=Theme.objects.none()
    )

    def __init__(self, *args: Any, theme: Theme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "others").queryset = Theme.objects.filter(status=Theme.Status.ACTIVE).exclude(
            pk=theme.pk
        )


class ReclusterForm(forms.Form):
    n_themes = forms.IntegerField(
        label="Number of themes",
        required=False,
        min_value=1,
        max_value=2000,
        help_text="Empty lets Northstar decide.",
    )


# Portal ------------------------------------------------------------------------------------------


class _Visitor(forms.Form):
    """Fields every visitor form shares; `website` is the honeypot, hidden from people."""

    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class PostForm(_Visitor):
    title = forms.CharField(label="Your idea or request", max_length=200)
    body = forms.CharField(
        label="Details", required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    author_name = forms.CharField(label="Your name", required=False, max_length=120)
    author_email = forms.EmailField(
        label="Your email", required=False, help_text="Never shown. We tell you when it ships."
    )


class VoteForm(_Visitor):
    email = forms.EmailField(label="Your email", required=False)

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A visitor's vote counts once they open the link we email them, so they must give an address.
        self.fields["email"].required = not signed_in
        self.fields["email"].error_messages["required"] = (
            "Give your email address: we send you a link to confirm your vote."
        )


class CommentForm(_Visitor):
    body = forms.CharField(label="Comment", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    author_name = forms.CharField(label="Your name", required=False, max_length=120)
    author_email = forms.EmailField(label="Your email", required=False)


class BoardForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    segments = forms.MultipleChoiceField(
        required=False,
        choices=Segment.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only signed-in customers of these segments see the board; none: everyone.",
    )


class ChangelogForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = LongTextField(label="What shipped (Markdown)", required=False)
    posts = forms.MultipleChoiceField(label="Portal requests it ships", required=False)

    def __init__(self, *args: Any, post_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "posts").choices = post_choices


class WidgetSiteForm(forms.Form):
    name = forms.CharField(max_length=120)
    allowed_origin = forms.CharField(
        label="Site address", required=False, max_length=200, help_text="e.g. https://app.example.com"
    )
