from django import forms

from .models import Address, BillCycle, BillingAccount, Contact, Customer, Party


class SearchForm(forms.Form):
    q = forms.CharField(label="Find customer", min_length=2, max_length=200, required=False,
                        widget=forms.TextInput(attrs={
                            "placeholder": "Customer or account number, phone, e-mail, name, address…",
                            "autofocus": True, "autocomplete": "off"}))


class ContactForm(forms.Form):
    title = forms.CharField(max_length=30, required=False)
    given_name = forms.CharField(max_length=100, required=False, label="Given name")
    family_name = forms.CharField(max_length=100, label="Family name")
    role = forms.ChoiceField(choices=Contact.Role.choices, initial=Contact.Role.PRIMARY)
    job_title = forms.CharField(max_length=100, required=False)
    mobile = forms.CharField(max_length=40, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False, label="E-mail")
    preferred_channel = forms.ChoiceField(choices=Contact.Channel.choices)
    preferred_language = forms.ChoiceField(choices=Contact._meta.get_field("preferred_language").choices)

    MEDIA_FIELDS = ("mobile", "phone", "email")

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in self.MEDIA_FIELDS):
            raise forms.ValidationError("Give at least one way to reach the contact: mobile, phone or e-mail.")
        return data

    def media_list(self) -> list[dict]:
        d = self.cleaned_data
        return [{"kind": k, "value": d[k], "preferred": i == 0} for i, k in enumerate(self.MEDIA_FIELDS) if d.get(k)]

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


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["street1", "street2", "city", "state_or_province", "postcode", "country", "area_code"]
        labels = {"street1": "Street and number", "street2": "Address line 2"}


class OnboardForm(forms.Form):
    """New customer acquisition (develop contact): party, customer, primary contact, address, account."""

    kind = forms.ChoiceField(choices=Party.Kind.choices, label="Customer type")
    given_name = forms.CharField(max_length=100, required=False)
    family_name = forms.CharField(max_length=100, required=False)
    trading_name = forms.CharField(max_length=200, required=False, label="Company trading name")
    registration_number = forms.CharField(max_length=50, required=False)
    segment = forms.ChoiceField(choices=Customer.Segment.choices)
    credit_class = forms.ChoiceField(choices=Customer.CreditClass.choices, initial="B")
    bill_cycle = forms.ModelChoiceField(queryset=BillCycle.objects.filter(active=True), required=False,
                                        help_text="Choose a cycle to open a billing account now.")
    currency = forms.ChoiceField(choices=BillingAccount._meta.get_field("currency").choices, initial="EUR")
    payment_method = forms.ChoiceField(choices=BillingAccount.PaymentMethod.choices)

    def clean(self):
        data = super().clean()
        if data.get("kind") == Party.Kind.INDIVIDUAL:
            for f in ("given_name", "family_name"):
                if not data.get(f):
                    self.add_error(f, "Required for an individual.")
        elif data.get("kind") == Party.Kind.ORGANIZATION and not data.get("trading_name"):
            self.add_error("trading_name", "Required for an organization.")
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
    parent = forms.ModelChoiceField(queryset=BillingAccount.objects.none(), required=False)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_address"].queryset = customer.addresses.all()
        self.fields["parent"].queryset = customer.billing_accounts.exclude(status=BillingAccount.Status.CLOSED)
