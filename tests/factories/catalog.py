"""The product catalog (TMF620) and the service specifications it names."""

from decimal import Decimal

import factory

from orders.models import (
    Catalog,
    Category,
    PriceAlteration,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
    SpecCharacteristic,
)
from service_activation.models import ServiceSpecification


class ServiceSpecificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceSpecification

    code = factory.Sequence(lambda n: f"svc-{n}")
    name = factory.Sequence(lambda n: f"Service {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class CatalogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Catalog

    name = factory.Sequence(lambda n: f"Catalog {n}")


class ProductSpecificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductSpecification

    code = factory.Sequence(lambda n: f"spec-{n}")
    name = factory.Sequence(lambda n: f"Specification {n}")


class SpecCharacteristicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecCharacteristic

    specification = factory.SubFactory(ProductSpecificationFactory)
    name = factory.Sequence(lambda n: f"char_{n}")


class ProductOfferingFactory(factory.django.DjangoModelFactory):
    """A draft offering; pass lifecycle_status="active" / "retired" for the others."""

    class Meta:
        model = ProductOffering

    code = factory.Sequence(lambda n: f"offer-{n}")
    name = factory.Sequence(lambda n: f"Offering {n}")


class ProductOfferingPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductOfferingPrice

    offering = factory.SubFactory(ProductOfferingFactory)
    name = "Monthly fee"
    price_type = ProductOfferingPrice.PriceType.RECURRING
    amount = Decimal("20.0000")
    recurring_period = "month"


class PriceAlterationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceAlteration

    price = factory.SubFactory(ProductOfferingPriceFactory)
    name = "Introductory discount"
    percentage = Decimal("50.00")
    duration_periods = 3


def bundle(*members, **kw) -> ProductOffering:
    offering = ProductOfferingFactory(is_bundle=True, **kw)
    offering.bundled_offerings.set(members)
    return offering
