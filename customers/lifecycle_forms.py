"""Forms of the customer lifecycle (status changes)."""

from django import forms

from .models import Customer


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Customer.Status.choices)
    reason = forms.CharField(max_length=255, widget=forms.TextInput(attrs={"placeholder": "Reason (recorded)"}))
