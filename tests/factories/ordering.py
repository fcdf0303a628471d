"""Customer orders and what fulfilling them needs: an offering whose specification is realized by a service
specification with an activation plan and a test plan, order types with steps, milestones."""

from decimal import Decimal

import factory

from orders.models import MilestoneStatus, OrderType, OrderTypeStep
from service_activation.models import ActivationStep
from tests.factories.catalog import (
    ProductOfferingFactory,
    ProductOfferingPriceFactory,
    ProductSpecificationFactory,
    ServiceSpecificationFactory,
)
from tests.factories.customers import AddressFactory, BillingAccountFactory, CustomerFactory


class MilestoneStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneStatus

    code = factory.Sequence(lambda n: f"milestone-{n}")
    name = factory.Sequence(lambda n: f"Milestone {n}")
    descriptions = factory.LazyAttribute(lambda m: {"en": f"{m.name} reached", "ga": f"{m.name} (ga)"})


class OrderTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderType

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Order type {n}")


class OrderTypeStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderTypeStep

    order_type = factory.SubFactory(OrderTypeFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"step-{n}")
    name = factory.Sequence(lambda n: f"Step {n}")
    kind = OrderTypeStep.Kind.AUTOMATIC


class ActivationStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivationStep

    specification = factory.SubFactory(ServiceSpecificationFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"act-{n}")
    name = factory.Sequence(lambda n: f"Activation step {n}")
    specialty = "access-node"


def activatable_offering(*, steps=("configure-port", "provision-profile"), tests=("line-check",), manual_steps=(),
                         price=Decimal("30.0000"), one_time=None, **kw):
    """An active offering realized by one service specification with automatic activation steps (in order, each
    after the previous) and an automatic end-to-end test plan."""
    service_spec = ServiceSpecificationFactory(
        lifecycle_status="active", test_plan=[{"code": t, "name": t.replace("-", " "), "kind": "automatic"}
                                              for t in tests],
        recovery_plan=[{"code": f"remove-{c}", "name": f"Remove {c.replace('-', ' ')}", "kind": "automatic"}
                       for c in reversed(steps)])  # an approved recovery plan: terminations run (1.1.2.2.10)
    previous = None
    for n, code in enumerate(list(steps) + list(manual_steps), start=1):
        ActivationStepFactory(specification=service_spec, sequence=n, code=code, name=code.replace("-", " "),
                              kind="manual" if code in manual_steps else "automatic",
                              specialty="field-install" if code in manual_steps else "access-node",
                              depends_on=[previous] if previous else [])
        previous = code
    spec = ProductSpecificationFactory(lifecycle_status="active")
    spec.service_specifications.add(service_spec)
    offering = ProductOfferingFactory(lifecycle_status="active", specification=spec, **kw)
    ProductOfferingPriceFactory(offering=offering, amount=price)
    if one_time is not None:
        ProductOfferingPriceFactory(offering=offering, name="Connection", price_type="one_time", amount=one_time,
                                    recurring_period="")
    return offering


def orderable_customer(**kw):
    """An active customer with an address and an active billing account."""
    customer = CustomerFactory(status="active", **kw)
    AddressFactory(customer=customer)
    BillingAccountFactory(customer=customer, status="active")
    return customer
