"""TMF629's engagedParty is resolved by the use case (customer_register / customer_revise), not the
view: a party we hold is linked, any other reference is kept as sent, never an error."""

import pytest

from bss.actors import Actor
from customers.services import customer_register, customer_revise
from tests.factories import CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def test_register_links_a_party_we_hold_and_keeps_one_we_do_not():
    org = OrganizationFactory()
    ours = customer_register(actor=SYSTEM, name="Engines", engaged_party={"id": str(org.pk),
                                                                          "@referredType": "Organization"})
    assert (ours.party_id, ours.engaged_party_ref) == (org.pk, None)
    ref = {"id": "crm-7", "name": "Elsewhere", "@referredType": "Organization"}
    theirs = customer_register(actor=SYSTEM, name="Elsewhere", engaged_party=ref)
    assert theirs.party_id is None and theirs.engaged_party_ref == ref


def test_revise_resolves_the_reference_it_is_given_and_leaves_it_when_not_given():
    customer = CustomerFactory()
    party_id = customer.party_id
    customer_revise(customer=customer, actor=SYSTEM, name="Renamed")
    customer.refresh_from_db()
    assert customer.party_id == party_id
    ref = {"id": "crm-9", "@referredType": "Individual"}
    customer_revise(customer=customer, actor=SYSTEM, engaged_party=ref)
    customer.refresh_from_db()
    assert customer.party_id is None and customer.engaged_party_ref == ref
