"""The platform's own rows (bss): API tokens, hub listeners, approval policies."""

import factory
from rest_framework.authtoken.models import Token

from bss.approvals.models import ApprovalPolicy
from bss.events.models import HubSubscription
from bss.roles import Role


class TokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Token

    user = factory.SubFactory("tests.factories.customers.UserFactory", roles=[Role.INTEGRATOR])


class HubSubscriptionFactory(factory.django.DjangoModelFactory):
    """A listener row built directly (the callback policy is the service's job: hub tests call it)."""

    class Meta:
        model = HubSubscription

    api = "customerManagement"
    callback = factory.Sequence(lambda n: f"https://listener{n}.example/cb")


class ApprovalPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalPolicy

    approval_type = factory.Sequence(lambda n: f"test.type{n}")
    name = factory.LazyAttribute(lambda p: p.approval_type)
    approver_roles = factory.LazyFunction(lambda: [Role.SUPERVISOR])
