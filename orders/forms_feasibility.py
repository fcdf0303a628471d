import json

from django import forms

from customers.models import Customer

from . import feasibility as fe
from .models import FeasibilityRule, ProductOffering
from .models.catalog import SalesChannel


class JSONListField(forms.CharField):
    """Comma-separated list in the form, JSON list in the model."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [v.strip() for v in (value or "").split(",") if v.strip()]


class FeasibilityRuleForm(forms.ModelForm):
    segments = JSONListField(required=False, help_text="comma-separated; empty: every segment")
    channels = JSONListField(required=False, help_text="comma-separated; empty: every channel")
    customer_types = JSONListField(required=False, help_text="individual, organization; empty: both")
    params = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}), initial="{}",
                             help_text="JSON; keys depend on the rule type (see below)")

    class Meta:
        model = FeasibilityRule
        fields = ["name", "rule_type", "is_active", "priority", "offerings", "segments", "channels",
                  "customer_types", "valid_from", "valid_to", "params", "staff_message", "customer_message",
                  "alternatives"]
        widgets = {"offerings": forms.SelectMultiple(attrs={"size": 8}),
                   "alternatives": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["params"] = json.dumps(self.instance.params, indent=1)

    def clean_params(self):
        raw = self.cleaned_data["params"] or "{}"
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as e:
            raise forms.ValidationError(f"Not valid JSON: {e.msg} (line {e.lineno}).")
        return value

    def clean(self):
        data = super().clean()
        if "params" in data and data.get("rule_type"):
            for key, message in fe.validate_params(data["rule_type"], data["params"]).items():
                self.add_error("params", f"{key}: {message}")
        return data


class RuleTestForm(forms.Form):
    """The order to test a rule against: who, where, through which channel, which offerings."""

    customer_number = forms.CharField(required=False, help_text="empty: a prospect")
    prospect_type = forms.ChoiceField(choices=[("individual", "Individual"), ("organization", "Organization")],
                                      required=False, initial="individual")
    prospect_segment = forms.ChoiceField(choices=Customer.Segment.choices, required=False)
    postcode = forms.CharField(required=False, help_text="install address (or the customer's first address)")
    area_code = forms.CharField(required=False)
    channel = forms.ChoiceField(choices=SalesChannel.choices, initial=SalesChannel.PORTAL)
    offerings = forms.ModelMultipleChoiceField(queryset=ProductOffering.objects.all(), to_field_name="code",
                                               widget=forms.SelectMultiple(attrs={"size": 8}))
    characteristics = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="one per line: offering-code.name=value")

    def clean_customer_number(self):
        number = self.cleaned_data["customer_number"].strip().upper()
        if not number:
            return None
        try:
            return Customer.objects.get(customer_number=number)
        except Customer.DoesNotExist:
            raise forms.ValidationError(f"No customer {number}.")

    def clean_characteristics(self):
        out: dict[str, dict] = {}
        for line in (self.cleaned_data["characteristics"] or "").splitlines():
            if not line.strip():
                continue
            try:
                left, value = line.split("=", 1)
                code, name = left.strip().split(".", 1)
            except ValueError:
                raise forms.ValidationError(f"'{line}': write offering-code.name=value")
            out.setdefault(code, {})[name.strip()] = value.strip()
        return out
