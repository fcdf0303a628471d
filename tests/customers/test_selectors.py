"""Identify contact (customers.selectors.customer_search): every identifier a caller may give,
ranking, closed customers, and scoping to the self-service user's own customer."""

import pytest

from customers import services
from customers.models import Customer
from customers.selectors import (
    SCORE_CHANNEL,
    SCORE_NAME,
    SCORE_NAME_PREFIX,
    SCORE_NUMBER,
    customer_duplicates,
    customer_search,
)
from tests.factories import BillCycleFactory, CustomerFactory, ProductFactory, UserFactory, customer_user

pytestmark = pytest.mark.django_db


def make_customer(actor, name, *, given="", family="", mobile=None, email=None, street="1 Quay Road",
                  city="Galway", postcode="H91 AB12", status="prospect", account=False):
    customer = services.customer_create(actor=actor, name=name, status="active" if status != "prospect" else status)
    address = services.address_create(customer=customer, actor=actor, street1=street, city=city, postcode=postcode,
                                      country="IE")
    media = []
    if mobile:
        media.append({"kind": "mobile", "value": mobile})
    if email:
        media.append({"kind": "email", "value": email})
    if media:
        services.contact_create(customer=customer, actor=actor, media=media, given_name=given,
                                family_name=family or name.split()[-1])
    if account:
        services.billing_account_create(customer=customer, actor=actor, billing_address=address,
                                        bill_cycle=BillCycleFactory())
    if status in ("suspended", "closed"):
        services.customer_change_status(customer_id=customer.pk, status=status, actor=actor, reason="test")
    return Customer.objects.get(pk=customer.pk)


@pytest.fixture
def mary(actor):
    return make_customer(actor, "Mary Murphy", given="Mary", family="Murphy", mobile="+353 87 123 4567",
                         email="Mary.Murphy@Example.IE", street="12 Main Street", city="Dublin",
                         postcode="D02 X285", account=True)


@pytest.fixture
def john(actor):
    return make_customer(actor, "John Byrne", given="John", family="Byrne", mobile="0861112223",
                         email="john@byrne.ie", street="4 Harbour View", city="Cork", postcode="T12 K7P3",
                         account=True)


def found(user, q, **kw):
    return [h.customer for h in customer_search(user=user, q=q, **kw)]


def hit_for(user, q, customer):
    return next(h for h in customer_search(user=user, q=q) if h.customer.pk == customer.pk)


class TestIdentifiers:
    def test_customer_number(self, csr, mary, john):
        assert found(csr, mary.customer_number) == [mary]
        assert found(csr, mary.customer_number.lower()) == [mary]
        hit = hit_for(csr, mary.customer_number, mary)
        assert hit.score == SCORE_NUMBER and "customer number" in hit.matched

    def test_account_number(self, csr, mary, john):
        number = john.billing_accounts.get().account_number
        assert found(csr, number) == [john]
        assert found(csr, f"  {number.lower()} ") == [john]
        assert hit_for(csr, number, john).matched == ["account number"]

    def test_product_serial(self, csr, actor, mary, john):
        ProductFactory(customer=john, product_serial="353861112299")
        assert found(csr, "353861112299")[0] == john

    @pytest.mark.parametrize("q", [
        "+353 87 123 4567", "+353871234567", "00353 87 123 4567", "087 1234567", "0871234567",
        "087-123-4567", "(087) 123 4567", "+353 (0)87 123 4567", "(087) 123-4567", "+353-87-123-4567",
        "087.123.4567",
    ])
    def test_phone_in_any_format(self, csr, mary, john, q):
        assert found(csr, q) == [mary]
        assert hit_for(csr, q, mary).matched == ["phone"]

    def test_phone_stored_nationally_found_internationally(self, csr, mary, john):
        assert found(csr, "+353 86 111 2223") == [john]

    def test_partial_phone(self, csr, mary, john):
        hits = customer_search(user=csr, q="1234567")
        assert [h.customer for h in hits] == [mary]
        assert hits[0].score < SCORE_CHANNEL

    def test_other_number_not_found(self, csr, mary, john):
        assert found(csr, "087 7654321") == []

    @pytest.mark.parametrize("q", ["mary.murphy@example.ie", "MARY.MURPHY@EXAMPLE.IE", " Mary.Murphy@Example.IE "])
    def test_email_case_insensitive(self, csr, mary, john, q):
        assert found(csr, q) == [mary]
        hit = hit_for(csr, q, mary)
        assert hit.score == SCORE_CHANNEL and hit.matched == ["e-mail"]

    def test_email_is_exact(self, csr, mary):
        assert found(csr, "mary@example.ie") == []


class TestNamesAndAddresses:
    def test_name_prefix(self, csr, mary, john):
        assert found(csr, "mary") == [mary]
        assert hit_for(csr, "Mary", mary).score == SCORE_NAME_PREFIX

    def test_name_contains(self, csr, mary, john):
        assert found(csr, "urph") == [mary]
        assert hit_for(csr, "urph", mary).score == SCORE_NAME

    def test_contact_name(self, csr, actor):
        acme = make_customer(actor, "Acme Widgets", given="Siobhan", family="O'Brien", email="s@acme.ie")
        make_customer(actor, "Other Ltd", given="Tom", family="Kelly", email="t@other.ie")
        assert found(csr, "o'brien") == [acme]
        assert found(csr, "Siobhan O'Brien") == [acme]
        assert found(csr, "Siobhan Kelly") == []
        assert "contact name" in hit_for(csr, "siobhan", acme).matched

    def test_address_fragment(self, csr, mary, john):
        assert found(csr, "main street") == [mary]
        assert found(csr, "Harbour") == [john]
        assert hit_for(csr, "Harbour", john).matched == ["address"]

    def test_postcode_and_city(self, csr, mary, john):
        assert found(csr, "d02 x285") == [mary]
        assert found(csr, "T12 K7P3") == [john]
        assert found(csr, "cork") == [john]

    def test_whitespace_normalised(self, csr, mary):
        assert found(csr, "   Mary    Murphy  ") == [mary]

    @pytest.mark.parametrize("q", ["", " ", "m"])
    def test_too_short_finds_nothing(self, csr, mary, q):
        assert found(csr, q) == []

    def test_no_match(self, csr, mary, john):
        assert found(csr, "Zebedee") == []


class TestRanking:
    def test_exact_identifier_before_name_match(self, csr, actor):
        named = make_customer(actor, "FIBRE-LINK Networks", email="x@fl.ie")
        owner = make_customer(actor, "Sean Walsh", email="sean@walsh.ie")
        ProductFactory(customer=owner, product_serial="FIBRE-LINK")
        hits = customer_search(user=csr, q="FIBRE-LINK")
        assert [h.customer for h in hits] == [owner, named]
        assert hits[0].score == SCORE_NUMBER and hits[1].score == SCORE_NAME_PREFIX

    def test_channel_before_name_before_address(self, csr, actor):
        by_address = make_customer(actor, "Ann Lee", email="ann@lee.ie", street="3 Kennedy Road")
        by_contains = make_customer(actor, "The Kennedy Trust", email="info@trust.ie")
        by_prefix = make_customer(actor, "Kennedy Motors", email="info@motors.ie")
        hits = customer_search(user=csr, q="Kennedy")
        assert [h.customer for h in hits] == [by_prefix, by_contains, by_address]
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_best_match_counts_and_labels_merge(self, csr, actor):
        both = make_customer(actor, "Galway Bay Hotel", email="gm@hotel.ie", city="Galway")
        hit = hit_for(csr, "Galway", both)
        assert hit.score == SCORE_NAME_PREFIX
        assert {"name", "address"} <= set(hit.matched)

    def test_open_before_closed_among_equals(self, csr, actor):
        closed = make_customer(actor, "Kelly Alpha", email="a@kelly.ie", status="closed")
        open_ = make_customer(actor, "Kelly Beta", email="b@kelly.ie")
        assert found(csr, "Kelly") == [open_, closed]

    def test_many_matching_rows_of_one_customer_do_not_hide_others(self, csr, actor):
        big = make_customer(actor, "Big Family", email="big@family.ie")
        for i in range(8):
            services.contact_create(customer=big, actor=actor, given_name=f"Kid{i}", family_name="Walsh",
                                    media=[{"kind": "email", "value": f"kid{i}@family.ie"}])
        small = make_customer(actor, "Small Family", given="Ann", family="Walsh", email="ann@walsh.ie")
        assert set(found(csr, "Walsh", limit=2)) == {big, small}

    def test_limit(self, csr, actor):
        for i in range(5):
            make_customer(actor, f"Nolan {i}", email=f"{i}@nolan.ie")
        assert len(customer_search(user=csr, q="Nolan", limit=3)) == 3


class TestClosedCustomers:
    def test_closed_customer_found(self, csr, actor):
        gone = make_customer(actor, "Gone Away", email="gone@away.ie", mobile="0831234567", status="closed")
        assert gone.status == Customer.Status.CLOSED
        assert found(csr, gone.customer_number) == [gone]
        assert found(csr, "083 123 4567") == [gone]
        assert found(csr, "Gone") == [gone]

    def test_closed_customer_excluded_on_request(self, csr, actor):
        gone = make_customer(actor, "Gone Away", email="gone@away.ie", status="closed")
        assert found(csr, gone.customer_number, include_closed=False) == []

    def test_suspended_customer_found(self, csr, actor):
        paused = make_customer(actor, "Paused Pat", email="p@p.ie", status="suspended")
        assert found(csr, "Paused") == [paused]


class TestScoping:
    @pytest.fixture
    def mary_login(self, mary):
        return customer_user(mary)

    def test_self_service_user_finds_only_own_customer(self, mary_login, mary, john):
        assert found(mary_login, mary.customer_number) == [mary]
        assert found(mary_login, john.customer_number) == []
        assert found(mary_login, john.billing_accounts.get().account_number) == []
        assert found(mary_login, "086 111 2223") == []
        assert found(mary_login, "john@byrne.ie") == []
        assert found(mary_login, "Byrne") == []
        assert found(mary_login, "Cork") == []

    def test_self_service_user_with_shared_name(self, actor, mary_login, mary):
        make_customer(actor, "Mary Murphy", given="Mary", family="Murphy", email="other.mary@example.ie")
        assert found(mary_login, "Mary Murphy") == [mary]
        assert len(found(UserFactory(is_superuser=True), "Mary Murphy")) == 2

    def test_staff_find_everyone(self, csr, supervisor, integrator, mary, john):
        for user in (csr, supervisor, integrator):
            assert found(user, "Dublin") == [mary]
            assert found(user, "Cork") == [john]
            assert found(user, john.customer_number) == [john]

    def test_user_without_role_or_link_finds_nothing(self, mary, john):
        nobody = UserFactory()
        assert found(nobody, mary.customer_number) == []
        assert found(nobody, "Mary") == []

    def test_customer_role_without_link_finds_nothing(self, mary):
        unlinked = UserFactory(roles=["Customer"])
        assert found(unlinked, mary.customer_number) == []

    def test_anonymous_finds_nothing(self, mary):
        from django.contrib.auth.models import AnonymousUser

        assert found(AnonymousUser(), mary.customer_number) == []


# --- customer_duplicates (develop contact: is the new customer one we hold?) -----------------------

class TestDuplicates:
    def dups(self, user, **kw):
        return [(d.customer, d.matched) for d in customer_duplicates(user=user, **kw)]

    def test_name_and_email(self, csr, mary, john):
        assert self.dups(csr, name="mary murphy", email="MARY.MURPHY@example.ie") == [(mary, ["e-mail"])]

    def test_name_and_phone_in_another_notation(self, csr, mary):
        assert self.dups(csr, name="Mary Murphy", phone=["", "087 123 4567"]) == [(mary, ["phone"])]
        assert self.dups(csr, name="Mary Murphy", phone="00353871234567") == [(mary, ["phone"])]

    def test_name_and_address(self, csr, mary):
        assert self.dups(csr, name="Mary Murphy", postcode="d02x285") == [(mary, ["address"])]
        assert self.dups(csr, name="Mary Murphy", street="12  main street") == [(mary, ["address"])]

    def test_everything_matching_says_so(self, csr, mary):
        assert self.dups(csr, name="Mary Murphy", email="mary.murphy@example.ie", phone="+353871234567",
                         postcode="D02 X285") == [(mary, ["e-mail", "phone", "address"])]

    def test_the_name_alone_is_not_a_duplicate(self, csr, mary):
        assert self.dups(csr, name="Mary Murphy", email="other@example.ie", phone="0869999999",
                         postcode="T12 X8Y2", street="1 Other Road") == []

    def test_details_without_the_name_are_not_a_duplicate(self, csr, mary):
        assert self.dups(csr, name="Marian Murphy", email="mary.murphy@example.ie", postcode="D02 X285") == []

    def test_a_contact_named_so_counts(self, csr, actor):
        acme = make_customer(actor, "Acme Widgets", given="Mary", family="Murphy", email="mm@acme.ie")
        assert self.dups(csr, name="Mary Murphy", email="mm@acme.ie") == [(acme, ["e-mail"])]

    def test_closed_customers_too(self, csr, actor):
        gone = make_customer(actor, "Gone Away", email="gone@away.ie", status="closed")
        assert self.dups(csr, name="Gone Away", email="gone@away.ie") == [(gone, ["e-mail"])]

    def test_only_what_the_user_may_see(self, mary):
        other = customer_user(CustomerFactory(name="Somebody Else"))  # self-service: sees only its own
        assert self.dups(other, name="Mary Murphy", email="mary.murphy@example.ie") == []

    def test_no_name_no_duplicates(self, csr, mary):
        assert self.dups(csr, name=" ", email="mary.murphy@example.ie") == []
