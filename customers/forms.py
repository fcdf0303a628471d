from django import forms

from .models import Address, BillCycle, BillingAccount, Contact, Customer, Party
from .validation import account_currency_error, address_check, channel_error, medium_error


class SearchForm(forms.Form):
    q = forms.CharField(label="Find customer", min_length=2, max_length=200, required=False,
                        widget=forms.TextInput(attrs={
                            "placeholder": "Customer or account number, phone, e-mail, name, address…",
                            "autofocus": True, "autocomplete": "off"}))


class ContactForm(forms.Form):
    """A contact and its first mobile, phone and e-mail. ``clean()`` runs the service's own checks
    (customers.validation): every problem shows in one round. ``has_postal``: whether post can reach
    the contact (it, or its customer, has an address)."""

    title = forms.CharField(max_length=30, required=False)
    given_name = forms.CharField(max_length=100, required=False, label="Given name")
    family_name = forms.CharField(max_length=100, label="Family name")
    role = forms.ChoiceField(choices=Contact.Role.choices, initial=Contact.Role.PRIMARY)
    job_title = forms.CharField(max_length=100, required=False, label="Job title")
    mobile = forms.CharField(max_length=40, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False, label="E-mail")
    preferred_channel = forms.ChoiceField(choices=Contact.Channel.choices, label="Preferred channel")
    preferred_language = forms.ChoiceField(choices=Contact._meta.get_field("preferred_language").choices,
                                           label="Preferred language")

    MEDIA_FIELDS = ("mobile", "phone", "email")
    REACH_MESSAGE = "Give at least one way to reach the contact: mobile, phone or e-mail."

    def __init__(self, *args, has_postal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_postal = has_postal

    def clean_mobile(self):
        return self._medium("mobile")

    def clean_phone(self):
        return self._medium("phone")

    def _medium(self, kind: str) -> str:
        value = self.cleaned_data.get(kind, "").strip()
        if value and (error := medium_error(kind, value)):
            raise forms.ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        given_media = [k for k in self.MEDIA_FIELDS if data.get(k) or self.has_error(k)]
        if not given_media:
            self.add_error(None, self.REACH_MESSAGE)
        channel = data.get("preferred_channel")
        # A medium typed but invalid counts as given: its own error says what to fix.
        if channel and (error := channel_error(channel, given_media, has_postal=self.has_postal)):
            self.add_error("preferred_channel", error)
        return data

    def media_list(self) -> list[dict]:
        d = self.cleaned_data
        return [{"kind": k, "value": d[k], "preferred": i == 0} for i, k in enumerate(self.MEDIA_FIELDS) if d.get(k)]

    def service_names(self) -> dict:
        """The service's paths for this form's media (``media[0].value``...) -> the form field."""
        names = {"media": None}
        for i, m in enumerate(self.media_list()):
            names[f"media[{i}].value"] = names[f"media[{i}].kind"] = m["kind"]
        return names

    def contact_fields(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("title", "given_name", "family_name", "role", "job_title", "preferred_channel",
                                  "preferred_language")}

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        initial = {f: getattr(contact, f) for f in ("title", "given_name", "family_name", "role", "job_title",
                                                     "preferred_channel", "preferred_language")}
        for m in contact.media.all():
            initial.setdefault(m.kind, m.value)
        return initial


class OnboardContactForm(ContactForm):
    """The primary contact of a new customer. For an individual the contact is the customer: its
    name fields are optional (left empty, the party's name is used) and shown only for an
    organization when JavaScript runs (``data-show-when``, bss/static/js/portal.js)."""

    NAME_FIELDS = ("title", "given_name", "family_name", "job_title")

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, has_postal=True, **kwargs)  # the new customer's address is required
        self.kind = kind
        self.fields["family_name"].required = False
        for name in self.NAME_FIELDS:
            self.fields[name].widget.attrs["data-show-when"] = f"c-kind={Party.Kind.ORGANIZATION}"
        self.fields["given_name"].help_text = self.fields["family_name"].help_text = (
            "Leave empty for an individual: the customer's name is used.")

    def clean(self):
        data = super().clean()
        if self.kind != Party.Kind.INDIVIDUAL and not data.get("family_name") and not self.has_error("family_name"):
            self.add_error("family_name", "Required for an organization's contact.")
        return data


class AddressForm(forms.ModelForm):
    """An address; ``clean()`` normalises and checks country and postcode as the service does."""

    class Meta:
        model = Address
        fields = ["street1", "street2", "city", "state_or_province", "postcode", "country", "area_code"]
        labels = {"street1": "Street and number", "street2": "Address line 2", "city": "Town / city",
                  "state_or_province": "County / state", "postcode": "Postcode", "country": "Country",
                  "area_code": "Area code"}

    def clean(self):
        data = super().clean()
        checked = {f: data.get(f) or "" for f in ("street1", "city", "postcode", "country")}
        if self.has_error("country"):
            return data
        cleaned, errors = address_check({**checked, "country": str(checked["country"])})
        for field, message in errors.items():
            if not self.has_error(field):
                self.add_error(field, message)
        if "postcode" not in errors and data.get("postcode"):
            data["postcode"] = cleaned["postcode"]
        if data.get("country"):
            data["country"] = str(data["country"])
        return data


class OnboardForm(forms.Form):
    """New customer acquisition (develop contact): party, customer, primary contact, address, account."""

    INDIVIDUAL = {"data-show-when": f"c-kind={Party.Kind.INDIVIDUAL}"}
    ORGANIZATION = {"data-show-when": f"c-kind={Party.Kind.ORGANIZATION}"}

    kind = forms.ChoiceField(choices=Party.Kind.choices, label="Customer type", widget=forms.RadioSelect,
                             initial=Party.Kind.INDIVIDUAL)
    given_name = forms.CharField(max_length=100, required=False, label="Given name",
                                 widget=forms.TextInput(attrs=INDIVIDUAL))
    family_name = forms.CharField(max_length=100, required=False, label="Family name",
                                  widget=forms.TextInput(attrs=INDIVIDUAL))
    trading_name = forms.CharField(max_length=200, required=False, label="Company trading name",
                                   widget=forms.TextInput(attrs=ORGANIZATION))
    registration_number = forms.CharField(max_length=50, required=False, label="Company registration number",
                                          widget=forms.TextInput(attrs=ORGANIZATION))
    segment = forms.ChoiceField(choices=Customer.Segment.choices)
    credit_class = forms.ChoiceField(choices=Customer.CreditClass.choices, initial="B", label="Credit class")
    bill_cycle = forms.ModelChoiceField(queryset=BillCycle.objects.filter(active=True), required=False,
                                        label="Bill cycle", help_text="Choose a cycle to open a billing account now.")
    currency = forms.ChoiceField(choices=BillingAccount._meta.get_field("currency").choices, initial="EUR")
    payment_method = forms.ChoiceField(choices=BillingAccount.PaymentMethod.choices, label="Payment method")

    @staticmethod
    def customer_name(data: dict) -> str:
        """The name the customer will have (the party's display name): given and family, or trading name."""
        if data.get("kind") == Party.Kind.INDIVIDUAL:
            return f"{data.get('given_name', '')} {data.get('family_name', '')}".strip()
        return data.get("trading_name", "")

    def clean(self):
        data = super().clean()
        if data.get("kind") == Party.Kind.INDIVIDUAL:
            for f in ("given_name", "family_name"):
                if not data.get(f):
                    self.add_error(f, "Required for an individual.")
        elif data.get("kind") == Party.Kind.ORGANIZATION and not data.get("trading_name"):
            self.add_error("trading_name", "Required for an organization.")
        return data


class DuplicateForm(forms.Form):
    """Shown with the duplicate warning (selectors.customer_duplicates): go on only deliberately."""

    create_anyway = forms.BooleanField(required=False, label="Create anyway — this is a different customer")
    reason = forms.CharField(max_length=500, required=False, label="Why is this a different customer?",
                             widget=forms.TextInput(attrs={"placeholder": "e.g. namesake at another address"}))

    def clean(self):
        data = super().clean()
        if data.get("create_anyway") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why this is a different customer from the one(s) we hold.")
        return data


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Add a note…"}), max_length=5000)


class BillingAccountForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    bill_cycle = forms.ModelChoiceField(queryset=BillCycle.objects.filter(active=True))
    currency = forms.ChoiceField(choices=BillingAccount._meta.get_field("currency").choices, initial="EUR")
    payment_method = forms.ChoiceField(choices=BillingAccount.PaymentMethod.choices)
    credit_limit = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, initial=0)
    billing_address = forms.ModelChoiceField(queryset=Address.objects.none())
    parent = forms.ModelChoiceField(queryset=BillingAccount.objects.none(), required=False,
                                    label="Parent account", help_text="Bills roll up to it; same currency.")

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_address"].queryset = customer.addresses.all()
        self.fields["parent"].queryset = customer.billing_accounts.exclude(status=BillingAccount.Status.CLOSED)

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if parent and (error := account_currency_error(data.get("currency"), parent.currency)):
            self.add_error("currency", error)
        return data
