"""Staff qualification screen, rule tester, admin for rules, self-service offers."""

import pytest

from bss.events.models import Event
from bss.roles import Role
from orders.models import FeasibilityRule, OfferingQualification
from tests.factories import AddressFactory, CustomerFactory, customer_user, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def dublin(feasibility_catalog):
    c = CustomerFactory(status="active")
    return c, AddressFactory(customer=c, area_code="DUB01")


def test_qualification_screen_shows_explanations(client, csr, dublin):
    customer, _ = dublin
    client.force_login(csr)
    assert client.get("/csr/feasibility/qualify/").status_code == 200
    r = client.post("/csr/feasibility/qualify/", {"customer_number": customer.customer_number, "channel": "portal",
                                                  "offerings": ["iptv-addon", "fiber-500"]}, follow=True)
    assert r.status_code == 200 and r.redirect_chain[-1][0].startswith("/csr/feasibility/qualifications/")
    html = r.content.decode()
    assert "feasible" in html and "Fiber 500" in html
    assert OfferingQualification.objects.get().qualification_result == "qualified"
    r = client.post("/csr/feasibility/qualify/", {"customer_number": customer.customer_number, "channel": "portal",
                                                  "offerings": ["iptv-addon"]}, follow=True)
    html = r.content.decode()
    assert "not feasible" in html and "prerequisite says no" in html and "TV needs broadband." in html
    assert "Fiber 500 Tv" in html  # the alternative


def test_qualification_screen_uses_the_qualification_use_case(client, csr, dublin):
    """The portal asks through the same service as TMF679: one row, one event, the channel chosen,
    the customer's first address as the install address."""
    customer, _ = dublin
    client.force_login(csr)
    r = client.post("/csr/feasibility/qualify/", {"customer_number": customer.customer_number.lower(),
                                                  "channel": "telesales", "offerings": ["fiber-500"]})
    assert r.status_code == 302  # the stored answer has its own page (post/redirect/get)
    poq = OfferingQualification.objects.get()
    assert (poq.customer, poq.channel, poq.qualification_result, poq.requested_by) == (
        customer, "telesales", "qualified", csr)
    [event] = Event.objects.all()
    assert (event.event_type, event.resource_id) == ("ProductOfferingQualificationCreateEvent", str(poq.pk))


def test_qualification_screen_form_errors(client, csr, feasibility_catalog):
    client.force_login(csr)
    r = client.post("/csr/feasibility/qualify/", {"customer_number": "CU-NOPE", "channel": "portal"})
    html = r.content.decode()
    assert "No customer CU-NOPE" in html and "This field is required" in html
    assert OfferingQualification.objects.count() == 0


def test_rule_tester_before_after_and_save(client, dublin):
    customer, _ = dublin
    admin = staff_user(Role.ADMIN)
    client.force_login(admin)
    rule = FeasibilityRule.objects.get(rule_type="prerequisite")
    assert client.get(f"/csr/feasibility/rules/test/?rule={rule.pk}").status_code == 200
    data = {"t-customer_number": customer.customer_number, "t-channel": "portal", "t-offerings": ["iptv-addon"],
            "rule_id": rule.pk, "r-name": rule.name, "r-rule_type": "prerequisite",  # r-is_active unticked
            "r-priority": 100, "r-offerings": [], "r-params": '{"requires_any": ["fiber-100"]}',
            "r-staff_message": "needs fiber", "r-alternatives": []}
    # Switched off in the edit: before refuses, after allows.
    r = client.post("/csr/feasibility/rules/test/", {**data, "test": "1"})
    html = r.content.decode()
    assert "changes 1 item(s)" in html, html[:3000]
    rule.refresh_from_db()
    assert rule.offerings.count() == 1  # testing saved nothing
    r = client.post("/csr/feasibility/rules/test/", {**data, "save": "1"})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert not rule.is_active and rule.offerings.count() == 0 and rule.params == {"requires_any": ["fiber-100"]}


def test_rule_tester_shows_parameter_errors_and_csr_cannot_save(client, csr, dublin):
    customer, _ = dublin
    client.force_login(csr)
    data = {"t-customer_number": customer.customer_number, "t-channel": "portal", "t-offerings": ["mobile-s"],
            "r-name": "x", "r-rule_type": "eligibility", "r-priority": 1, "r-params": '{"colour": 1}',
            "r-staff_message": "x"}
    html = client.post("/csr/feasibility/rules/test/", {**data, "test": "1"}).content.decode()
    assert "colour: Unknown parameter" in html
    data["r-params"] = "{}"
    assert client.post("/csr/feasibility/rules/test/", {**data, "save": "1"}).status_code == 403
    assert not FeasibilityRule.objects.filter(name="x").exists()


def test_rule_admin_validates_params(client, dublin):
    admin = staff_user(Role.ADMIN, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/orders/feasibilityrule/").status_code == 200
    r = client.post("/admin/orders/feasibilityrule/add/", {
        "name": "bad", "rule_type": "prerequisite", "priority": 1, "params": "{not json",
        "staff_message": "m", "segments": "", "channels": "", "customer_types": ""})
    assert r.status_code == 200 and "Not valid JSON" in r.content.decode()
    assert not FeasibilityRule.objects.filter(name="bad").exists()


def test_self_service_offers_page(client, dublin):
    customer, _ = dublin
    client.force_login(customer_user(customer))
    html = client.get("/my/offers/").content.decode()
    assert "Fiber 500" in html and "Business Vpn" not in html and "Iptv Addon" not in html
    assert "fiber-500" not in html  # names and prices, never our offering codes
    staff = staff_user(Role.CSR)
    client.force_login(staff)
    assert client.get("/my/offers/").status_code == 403


def test_self_service_offers_show_names_descriptions_and_prices(client, dublin, feasibility_catalog):
    from decimal import Decimal

    from tests.factories import ProductOfferingPriceFactory

    customer, _ = dublin
    offerings, _ = feasibility_catalog
    fiber = offerings["fiber-500"]
    fiber.description = "Fast broadband for the whole house."
    fiber.save(update_fields=["description"])
    ProductOfferingPriceFactory(offering=fiber, amount=Decimal("45"), currency="EUR", name="Monthly fee")
    ProductOfferingPriceFactory(offering=fiber, amount=Decimal("50"), currency="EUR", price_type="one_time",
                                recurring_period="", name="Connection")
    client.force_login(customer_user(customer))
    html = client.get("/my/offers/").content.decode()
    assert "Fast broadband for the whole house." in html and "€45.00/month + €50.00 once" in html
    assert "fiber-500" not in html and "DUB01" not in html  # no offering codes, no area code


def test_self_service_offers_empty_state(client, feasibility_catalog):
    from orders.models import ProductOffering

    customer = CustomerFactory(status="active")
    AddressFactory(customer=customer, area_code="NOWHERE", street1="9 Far Lane")
    ProductOffering.objects.update(is_sellable=False)
    client.force_login(customer_user(customer))
    html = client.get("/my/offers/").content.decode()
    assert "data-empty-state" in html and "Nothing to offer at this address just yet" in html
    assert "9 Far Lane" in html and "contact us" in html
