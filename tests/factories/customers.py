"""Users, parties, customers, accounts, contacts, addresses and products."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from bss.models import User
from bss.roles import Role
from customers.models import (
    Address,
    BillCycle,
    BillingAccount,
    Contact,
    ContactMedium,
    Customer,
    Party,
    Product,
    SelfServiceAccess,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")
    approval_limit = Decimal("0")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


def staff_user(role=Role.CSR, **kw) -> User:
    return UserFactory(roles=[role], is_staff=role in Role.ADMIN_SITE, **kw)


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = Party.Kind.INDIVIDUAL
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    kind = Party.Kind.ORGANIZATION
    trading_name = factory.Faker("company")
    legal_name = factory.LazyAttribute(lambda p: f"{p.trading_name} Ltd")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    customer_number = factory.Sequence(lambda n: f"CF{n:08d}")
    party = factory.SubFactory(IndividualFactory)
    name = factory.LazyAttribute(lambda c: c.party.display_name if c.party else "Prospect")
    segment = Customer.Segment.RESIDENTIAL


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    customer = factory.SubFactory(CustomerFactory)
    street1 = factory.Faker("street_address")
    city = "Dublin"
    postcode = factory.Sequence(lambda n: f"D{n % 24:02d} X{n:03d}")
    country = "IE"
    area_code = "DUB01"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    is_primary = True


class ContactMediumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMedium

    contact = factory.SubFactory(ContactFactory)
    kind = ContactMedium.Kind.MOBILE
    value = factory.Sequence(lambda n: f"+353 87 {n:07d}")


class BillCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillCycle
        django_get_or_create = ("code",)

    code = "C01"
    name = "Cycle 1"
    day_of_month = 1


class BillingAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingAccount

    account_number = factory.Sequence(lambda n: f"BF{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    name = factory.LazyAttribute(lambda a: a.customer.name)
    bill_cycle = factory.SubFactory(BillCycleFactory)
    billing_address = factory.SubFactory(AddressFactory, customer=factory.SelfAttribute("..customer"))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    customer = factory.SubFactory(CustomerFactory)
    name = "Mobile 20GB"
    offering_code = "po-mobile-20"
    offering_name = "Mobile 20GB"


def customer_user(customer: Customer, **kw) -> User:
    user = UserFactory(roles=[Role.CUSTOMER], **kw)
    SelfServiceAccess.objects.create(user=user, customer=customer)
    return user
