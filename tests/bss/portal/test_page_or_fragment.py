"""One URL, two representations (bss.portal.render_page_or_fragment, used by the live search): the
fragment only for an HTMX swap, the page for a history restore, and Vary: HX-Request on both."""

import pytest
from django.urls import reverse

from bss.roles import Role
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def csr_client(client):
    client.force_login(staff_user(Role.CSR))
    return client


def test_an_htmx_swap_gets_the_fragment_never_stored(csr_client):
    r = csr_client.get(reverse("csr:dashboard"), {"q": "x"}, HTTP_HX_REQUEST="true")
    assert b"<header" not in r.content
    assert "HX-Request" in r["Vary"] and "no-store" in r["Cache-Control"]


def test_a_history_restore_gets_the_whole_page(csr_client):
    r = csr_client.get(reverse("csr:dashboard"), {"q": "x"}, HTTP_HX_REQUEST="true",
                       HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<header" in r.content and b"Identify customer" in r.content
    assert "HX-Request" in r["Vary"]


def test_the_page_varies_on_hx_request(csr_client):
    r = csr_client.get(reverse("csr:dashboard"), {"q": "x"})
    assert b"<header" in r.content and "HX-Request" in r["Vary"]
