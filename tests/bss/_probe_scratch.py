import json, pytest
from tests.factories import CustomerFactory, IndividualFactory, OrganizationFactory

@pytest.mark.django_db
def test_probe(integrator_client, on_commit, settings):
    c = integrator_client
    p = IndividualFactory()
    r = c.post("/tmf-api/customerManagement/v4/customer", {"name": "Alice", "engagedParty": {"id": str(p.pk), "@referredType": "Individual"},
        "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "a@example.com"}},
                          {"mediumType": "mobile", "characteristic": {"phoneNumber": "+353 87 1234567"}},
                          {"mediumType": "postalAddress", "characteristic": {"street1": "1 Main St", "city": "Dublin", "postCode": "D01", "country": "IE"}}],
        "creditProfile": [{"creditRiskRating": 3}]}, format="json")
    print(r.status_code, dict(r.headers), json.dumps(r.json(), indent=1))
    for path in ["/tmf-api/customerManagement/v4/customer/", "/tmf-api/customerManagement/v4/customer?fields=name", "/tmf-api/customerManagement/v4/customer/abc", "/tmf-api/nothing", "/tmf-api/customerManagement/v4/customer?offset=x"]:
        r = c.get(path)
        print(path, r.status_code, r.headers.get("Content-Type"), r.content[:500])
    r = c.put("/tmf-api/customerManagement/v4/customer/1", {}, format="json"); print("PUT", r.status_code, r.headers.get("Content-Type"), r.content)
    r = c.post("/tmf-api/customerManagement/v4/customer", "{bad", content_type="application/json"); print("BAD", r.status_code, r.content)
    r = c.post("/tmf-api/customerManagement/v4/customer", "[1]", content_type="application/json"); print("LIST", r.status_code, r.content)
    r = c.post("/tmf-api/customerManagement/v4/customer", {"name": 5, "engagedParty": "x"}, format="json"); print("TYPES", r.status_code, r.content)
    r = c.post("/tmf-api/customerManagement/v4/hub", {"callback": "http://example.com/cb", "query": "eventType=CustomerCreateEvent"}, format="json"); print("HUB", r.status_code, dict(r.headers), r.content)
    r = c.post("/tmf-api/party/v4/individual", {"givenName": "A", "familyName": "B", "skill": [{"skillCode": "x"}], "birthDate": "1990-01-02T00:00:00Z"}, format="json"); print("IND", r.status_code, r.content)
    r = c.post("/tmf-api/party/v4/organization", {"tradingName": "Acme", "organizationIdentification": [{"identificationType": "registrationNumber", "identificationId": "123"}]}, format="json"); print("ORG", r.status_code, r.content)
    r = c.post("/tmf-api/party/v4/individual", "{bad", content_type="application/json"); print("BAD", r.status_code, r.content)
    settings.TMF_MAX_BODY_BYTES = 10
    r = c.post("/tmf-api/party/v4/individual", {"givenName": "A", "familyName": "B"}, format="json"); print("413", r.status_code, r.content)
