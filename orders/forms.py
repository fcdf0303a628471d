"""Portal forms of order handling: credit checks and reviews, feasibility rules and the rule tester."""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.urls import reverse
from django_countries import countries

from bss.money import CURRENCIES
from customers import selectors as customer_selectors
from orders import feasibility as fe
from orders.models import FeasibilityRule, ProductOffering
from orders.models.catalog import SalesChannel


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
    prospect_segment = forms.ChoiceField(choices=customer_selectors.customer_segments, required=False)
    postcode = forms.CharField(required=False, help_text="install address (or the customer's first address)")
    area_code = forms.CharField(required=False)
    channel = forms.ChoiceField(choices=SalesChannel.choices, initial=SalesChannel.PORTAL)
    offerings = forms.ModelMultipleChoiceField(queryset=ProductOffering.objects.all(), to_field_name="code",
                                               widget=forms.SelectMultiple(attrs={"size": 8}))
    characteristics = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="one per line: offering-code.name=value")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_customer_number(self):
        number = self.cleaned_data["customer_number"].strip().upper()
        if not number:
            return None
        customer = customer_selectors.customer_by_number(user=self.user, customer_number=number)
        if customer is None:
            raise forms.ValidationError(f"No customer {number}.")
        return customer

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


class CreditCheckForm(forms.Form):
    customer_number = forms.CharField(max_length=20, label="Customer number",
                                      widget=forms.TextInput(attrs={"placeholder": "CU…", "autocomplete": "off"}))
    account_number = forms.CharField(max_length=20, required=False, label="Billing account number",
                                     help_text="optional: the order's account, whose credit limit is checked")
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                help_text="the order's one-time charges plus its first month of recurring charges")
    currency = forms.ChoiceField(choices=[("", "the account's currency (else EUR)"), *CURRENCIES], required=False)
    order_reference = forms.CharField(max_length=64, required=False, label="Order reference")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = self.account = None

    def clean(self):
        data = super().clean()
        number = (data.get("customer_number") or "").strip()
        if number:
            self.customer = customer_selectors.customer_queryset(self.user).filter(
                customer_number__iexact=number).first()
            if self.customer is None:
                self.add_error("customer_number", f"No customer {number}.")
        account_number = (data.get("account_number") or "").strip()
        if account_number and self.customer is not None:
            self.account = customer_selectors.billing_account_queryset(self.user).filter(
                account_number__iexact=account_number, customer=self.customer).first()
            if self.account is None:
                self.add_error("account_number", f"Customer {self.customer.customer_number} has no account "
                                                 f"{account_number}.")
        return data


class ReviewForm(forms.Form):
    """A Supervisor's decision on a referred credit check; approving may amend the proposed terms (the fields
    come prefilled with them: a deposit of 0 waives it)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"placeholder": "Reason (required)"}))
    deposit = forms.DecimalField(min_value=0, decimal_places=2, max_digits=12, required=False,
                                 label="Deposit", help_text="0 waives the deposit.")
    credit_limit = forms.DecimalField(min_value=0, decimal_places=2, max_digits=12, required=False,
                                      label="Credit limit")

    @classmethod
    def for_check(cls, check):
        t = check.terms or {}
        return cls(initial={"deposit": t.get("deposit") or "0.00", "credit_limit": t.get("credit_limit")})

    def amended_terms(self) -> dict | None:
        """The terms to approve with, when the form carried the terms fields (the queue's short form does not)."""
        if "deposit" not in self.data and "credit_limit" not in self.data:
            return None
        d = self.cleaned_data
        return {k: str(d[k]) for k in ("deposit", "credit_limit") if d.get(k) is not None}


CURRENCY_SIGNS = {"EUR": "€", "GBP": "£", "USD": "$"}


def price_text(prices) -> str:
    """"€45.00/month + €50.00 once" from ProductOfferingPrice-like objects: recurring first, then one-time, then
    usage; retired prices left out; Decimal amounts to 2 places (never through float)."""
    parts = []
    order = {"recurring": 0, "one_time": 1, "usage": 2}
    for p in sorted(prices, key=lambda p: (order.get(p.price_type, 3), p.pk or 0)):
        if getattr(p, "lifecycle_status", "active") == "retired":
            continue
        sign = CURRENCY_SIGNS.get(p.currency, "")
        amount = Decimal(p.amount).quantize(Decimal("0.01"))
        amount = f"{sign}{amount}" if sign else f"{amount} {p.currency}"
        if p.price_type == "recurring":
            parts.append(f"{amount}/{p.recurring_period or 'month'}")
        elif p.price_type == "one_time":
            parts.append(f"{amount} once")
        else:
            parts.append(f"{amount} per {p.unit_of_measure or 'unit'}")
    return " + ".join(parts) or "no price"


def price_summary(offering) -> str:
    """The offering's active prices as one line (price_text)."""
    return price_text(offering.prices.all())


class OfferingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {price_summary(obj)}"


def characteristic_field(c, offering) -> forms.Field:
    """The input for one characteristic of an offering's specification: allowed values as a choice, a yes/no
    choice, a number with the spec's range, else text; mandatory ones are required (the browser marks them too)."""
    label = c.description or c.name.replace("_", " ").capitalize()
    common = {"required": c.mandatory, "label": label, "error_messages": {"required": "Required for this offering."}}
    if c.allowed_values:
        choices = [("", "—")] + [(str(v), str(v)) for v in c.allowed_values]
        return forms.ChoiceField(choices=choices, initial=c.default_value or "", **common)
    if c.value_type == "boolean":
        return forms.ChoiceField(choices=[("", "—"), ("true", "Yes"), ("false", "No")],
                                 initial=c.default_value or "", **common)
    if c.value_type in ("integer", "decimal"):
        bounds = {"min_value": c.min_value, "max_value": c.max_value}
        if c.value_type == "integer":
            bounds = {k: int(v) for k, v in bounds.items() if v is not None}
            return forms.IntegerField(initial=c.default_value or None, **bounds, **common)
        bounds = {k: v for k, v in bounds.items() if v is not None}
        return forms.DecimalField(initial=c.default_value or None, **bounds, **common)
    return forms.CharField(max_length=100, initial=c.default_value or "", **common)


def characteristic_name(offering_code: str, name: str) -> str:
    return f"char__{offering_code}__{name}"


class QualifyForm(forms.Form):
    """Qualify offerings for a customer, given by number (their addresses to choose from), or for a prospect (a
    structured install address): offerings as checkboxes with their prices, and the characteristics of the chosen
    offerings as inputs built from each one's specification (see characteristic_field). The page loads the
    customer's addresses and the chosen offerings' options over HTMX (QualifyForm.where/options fragments)."""

    customer_number = forms.CharField(required=False, label="Customer number",
                                      help_text="Leave empty for a prospect; a customer's addresses then load.")
    address = forms.ChoiceField(required=False, widget=forms.RadioSelect, label="Install address")
    prospect_type = forms.ChoiceField(choices=[("individual", "Individual"), ("organization", "Organization")],
                                      required=False, initial="individual", label="Prospect type")
    prospect_segment = forms.ChoiceField(choices=customer_selectors.customer_segments, required=False,
                                         label="Prospect segment")
    street = forms.CharField(required=False, max_length=200, label="Street and number")
    city = forms.CharField(required=False, max_length=100, label="Town or city")
    postcode = forms.CharField(required=False, max_length=20, label="Postcode")
    country = forms.ChoiceField(required=False, label="Country", initial="IE")
    area_code = forms.CharField(required=False, max_length=20, label="Network area code",
                                help_text="If known: it decides coverage where the postcode does not.")
    channel = forms.ChoiceField(choices=SalesChannel.choices, initial=SalesChannel.PORTAL, label="Sales channel")
    offerings = OfferingChoiceField(queryset=ProductOffering.objects.none(), widget=forms.CheckboxSelectMultiple,
                                    to_field_name="code", label="Offerings")

    ADDRESS_FIELDS = ("street", "city", "postcode", "country", "area_code")

    def __init__(self, *args, user, customer=None, chosen: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = customer
        self.fields["country"].choices = [("", "—"), *((code, name) for code, name in countries if code)]
        self.fields["customer_number"].widget.attrs.update({
            "autocomplete": "off", "hx-get": reverse("feasibility:qualify_addresses"),
            "hx-trigger": "change, keyup changed delay:500ms", "hx-target": "#qualify-where", "hx-swap": "innerHTML"})
        offerings = (ProductOffering.objects.filter(lifecycle_status="active", is_sellable=True)
                     .select_related("specification").prefetch_related("prices", "specification__characteristics")
                     .order_by("name"))
        self.fields["offerings"].queryset = offerings
        self.addresses = list(customer.addresses.order_by("pk")) if customer is not None else []
        if self.addresses:
            self.fields["address"].choices = [(str(a.pk), a.one_line) for a in self.addresses]
            self.fields["address"].initial = str(self.addresses[0].pk)
        if chosen is None:
            chosen = self.data.getlist("offerings") if self.is_bound and hasattr(self.data, "getlist") else []
        self.characteristic_fields = []  # (offering, [field names]) of the chosen offerings, in catalog order
        for offering in offerings:
            if offering.code not in chosen or offering.specification is None:
                continue
            names = []
            for c in offering.specification.characteristics.all():
                name = characteristic_name(offering.code, c.name)
                self.fields[name] = characteristic_field(c, offering)
                names.append(name)
            if names:
                self.characteristic_fields.append((offering, names))

    @property
    def option_groups(self):
        """(offering, [bound fields]) for the template."""
        return [(offering, [self[name] for name in names]) for offering, names in self.characteristic_fields]

    @property
    def is_prospect(self) -> bool:
        return self.customer is None

    def clean_customer_number(self):
        number = self.cleaned_data["customer_number"].strip().upper()
        if not number:
            return None
        customer = customer_selectors.customer_by_number(user=self.user, customer_number=number)
        if customer is None:
            raise forms.ValidationError(f"No customer {number}.")
        return customer  # a closed one is refused by the qualification service, in its words

    def clean(self):
        data = super().clean()
        chars = {}
        for offering, names in self.characteristic_fields:
            for name in names:
                value = data.get(name)
                if value not in (None, ""):
                    chars.setdefault(offering.code, {})[name.split("__", 2)[2]] = str(value)
        data["characteristics"] = chars
        customer = data.get("customer_number")
        if customer is not None and (self.customer is None or customer.pk != self.customer.pk):
            data["address"] = ""  # the addresses shown belonged to another customer: use the new one's first
        return data

    def install_place(self) -> dict:
        """The structured address typed for a prospect (or a customer without one), as the request records it."""
        d = self.cleaned_data
        return {k: d[k].strip() for k in self.ADDRESS_FIELDS if d.get(k, "").strip()}
