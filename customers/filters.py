"""Portal filters of the customer inventory (django-filter, the list pattern: bss/tables.py)."""

import django_filters
from django import forms

from .models import Customer


class CustomerFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices, empty_label="Any status")
    segment = django_filters.ChoiceFilter(choices=Customer.Segment.choices, empty_label="Any segment")
    credit_class = django_filters.ChoiceFilter(choices=Customer.CreditClass.choices, empty_label="Any credit class",
                                               label="Credit class")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="Since",
                                             widget=forms.DateInput(attrs={"type": "date"}))
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="Until",
                                           widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Customer
        fields = ["status", "segment", "credit_class"]
