"""Postal and installation addresses (area code drives serviceability)."""


from django.db import models
from django_countries import countries
from django_countries.fields import CountryDescriptor, CountryField, LazyTypedChoiceField

from .base import ScopedQuerySet
from .customer import Customer


class CountryCode(str):
    """An ISO 3166-1 alpha-2 code that is a plain string (JSON, history, API output, comparisons with
    "IE") and still knows its country, like django-countries' Country: ``.code``, ``.name``."""

    __slots__ = ()

    @property
    def code(self) -> str:
        return str(self)

    @property
    def name(self) -> str:
        return countries.name(str(self)) or str(self)


class CountryCodeDescriptor(CountryDescriptor):
    def __get__(self, instance=None, owner=None):
        value = super().__get__(instance, owner)
        if instance is None or value is None:
            return value
        return CountryCode(value.code or "")


class CountryChoiceField(LazyTypedChoiceField):
    """The country select; a code posted in lower case ("ie", from a script or an old bookmark) is the
    same country."""

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CountryCodeField(CountryField):
    """django-countries' CountryField (ISO list, IE and GB first, the country select in forms) whose
    value on an instance is a CountryCode: a str, so history snapshots and serializers need nothing."""

    descriptor_class = CountryCodeDescriptor

    def formfield(self, **kwargs):
        kwargs.setdefault("choices_form_class", CountryChoiceField)
        return super().formfield(**kwargs)


class Address(models.Model):
    """A structured postal/installation address. ``area_code`` is the geographic area that
    serviceability rules (coverage) use."""

    CUSTOMER_PATH = "customer"

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="addresses")
    street1 = models.CharField("street and number", max_length=200)
    street2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField("town / city", max_length=100)
    state_or_province = models.CharField("county / state", max_length=100, blank=True)
    postcode = models.CharField("postcode", max_length=20, db_index=True,
                                help_text="An Eircode (T12 X8Y2, or the routing key T12) or a UK postcode is checked; "
                                          "other countries' postcodes are taken as written.")
    # ISO 3166-1 alpha-2, from django-countries' list (IE and GB first: settings.COUNTRIES_FIRST).
    country = CountryCodeField("country", default="IE")
    area_code = models.CharField("area code", max_length=20, blank=True, db_index=True,
                                 help_text="The geographic area that coverage (serviceability) rules use.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.one_line

    @property
    def one_line(self) -> str:
        parts = [self.street1, self.street2, f"{self.postcode} {self.city}".strip(), self.country]
        return ", ".join(p for p in parts if p)
