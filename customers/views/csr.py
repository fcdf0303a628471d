"""Staff portal (/csr/): identify contact, customer page, develop contact. Thin: forms + services."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, render_page_or_fragment, staff_required
from customers import selectors, services
from customers.forms import (
    AddressForm,
    BillingAccountForm,
    ContactForm,
    DuplicateForm,
    OnboardContactForm,
    OnboardForm,
    SearchForm,
)
from customers.models import Contact, Customer
from customers.views.home import home_context


def _actor(request):
    return Actor.from_request(request, Channel.PORTAL)


def _customer(request, pk) -> Customer:
    try:
        return selectors.customer_detail(user=request.user, customer_id=pk)
    except Customer.DoesNotExist:
        raise Http404("No such customer")


SEARCH_SHOWN = 25  # matches listed by the live search; more ask the user to refine


@staff_required(perm="customers.view_customer")
def dashboard(request):
    form = SearchForm(request.GET or None)
    q = request.GET.get("q", "")
    words = " ".join(q.split())
    # one more than is shown, so the page can say that there are more
    found = selectors.customer_search(user=request.user, q=words, limit=SEARCH_SHOWN + 1)
    return render_page_or_fragment(request, "customers/csr/dashboard.html", "customers/csr/_search_results.html", {
        "form": form, "q": q, "hits": found[:SEARCH_SHOWN], "more": len(found) > SEARCH_SHOWN,
        "too_short": 0 < len(words) < selectors.SEARCH_MIN_LENGTH, "shown": SEARCH_SHOWN,
        **home_context(request)})


@staff_required(perm="customers.add_customer")
def customer_new(request):
    """New customer: every form's checks in one round (customers.validation), then a look for the
    customer among those we hold (selectors.customer_duplicates). Look-alikes re-render the page
    with a warning linking to each; only "Create anyway" with a reason goes on."""
    data = request.POST or None
    form = OnboardForm(data, prefix="c")
    contact_form = OnboardContactForm(data, prefix="ct", kind=request.POST.get("c-kind"))
    address_form = AddressForm(data, prefix="a")
    duplicate_form = DuplicateForm(data, prefix="d")
    duplicates = []
    if request.method == "POST" and all([f.is_valid() for f in (form, contact_form, address_form)]):
        d, ct, addr = form.cleaned_data, contact_form.cleaned_data, address_form.cleaned_data
        duplicates = selectors.customer_duplicates(
            user=request.user, name=OnboardForm.customer_name(d), email=ct.get("email", ""),
            phone=[ct.get("mobile", ""), ct.get("phone", "")], postcode=addr.get("postcode", ""),
            street=addr.get("street1", ""))
        if not duplicates or duplicate_form.is_valid() and duplicate_form.cleaned_data["create_anyway"]:
            customer = _onboard(request, form, contact_form, address_form, duplicates,
                                duplicate_form.cleaned_data.get("reason", "") if duplicates else "")
            if customer is not None:
                messages.success(request, f"Customer {customer.customer_number} created.")
                return redirect("csr:customer", pk=customer.pk)
    return render(request, "customers/csr/customer_new.html", {
        "form": form, "contact_form": contact_form, "address_form": address_form,
        "duplicates": duplicates, "duplicate_form": duplicate_form})


def _onboard(request, form, contact_form, address_form, duplicates, reason):
    """The onboarding service with the forms' data; its errors go back on the forms (None then)."""
    d = form.cleaned_data
    party = {"kind": d["kind"]}
    if d["kind"] == "individual":
        party.update(given_name=d["given_name"], family_name=d["family_name"])
    else:
        party.update(trading_name=d["trading_name"], registration_number=d["registration_number"])
    account = None
    if d["bill_cycle"]:
        account = {"bill_cycle": d["bill_cycle"], "currency": d["currency"], "payment_method": d["payment_method"]}
    try:
        return services.customer_onboard(
            actor=_actor(request), party=party,
            customer={"segment": d["segment"], "credit_class": d["credit_class"]},
            contact=contact_form.contact_fields(), media=contact_form.media_list(),
            address=address_form.cleaned_data, account=account,
            duplicates=[dup.customer for dup in duplicates], duplicate_reason=reason,
        )
    except DomainValidationError as e:
        parts = (("party.", form, None), ("contact.", contact_form, contact_form.service_names()),
                 ("address.", address_form, None))
        for prefix, f, rename in parts:
            part = DomainValidationError({k: v for k, v in e.field_errors.items() if k.startswith(prefix)})
            add_service_errors(f, part, prefix, rename=rename)
        rest = DomainValidationError({k: v for k, v in e.field_errors.items()
                                      if not k.startswith(tuple(p for p, _, _ in parts))})
        add_service_errors(form, rest, "account.")
    except ApplicationError as e:
        form.add_error(None, e.message)
    return None


def contact_form_view(request, customer, contact=None, template="customers/csr/contact_form.html",
                       channel=Channel.PORTAL, done=None):
    initial = ContactForm.initial_for(contact) if contact else {}
    has_postal = bool(contact and contact.postal_address_id) or customer.addresses.exists()
    form = ContactForm(request.POST or None, initial=initial, has_postal=has_postal)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request, channel)
        try:
            with transaction.atomic():
                if contact is None:
                    services.contact_create(customer=customer, actor=actor, media=form.media_list(),
                                            **form.contact_fields())
                else:
                    services.contact_update(contact=contact, actor=actor,
                                            media=form.media_list() + media_not_on_form(contact),
                                            **form.contact_fields())
        except DomainValidationError as e:
            add_service_errors(form, e, rename=form.service_names())
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "Contact saved.")
            return redirect(done)
    return render(request, template, {"form": form, "customer": customer, "contact": contact})


@staff_required(perm="customers.add_contact")
def contact_new(request, pk):
    customer = _customer(request, pk)
    return contact_form_view(request, customer, done=f"/csr/customers/{customer.pk}/")


@staff_required(perm="customers.change_contact")
def contact_edit(request, pk):
    contact = get_object_or_404(selectors.contact_queryset(request.user), pk=pk)
    return contact_form_view(request, contact.customer, contact, done=f"/csr/customers/{contact.customer_id}/")


@staff_required(perm="customers.add_billingaccount")
def billing_account_new(request, pk):
    customer = _customer(request, pk)
    form = BillingAccountForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_account_create(customer=customer, actor=_actor(request), **form.cleaned_data)
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "Billing account opened.")
            return redirect("csr:customer", pk=customer.pk)
    return render(request, "customers/csr/account_form.html", {"form": form, "customer": customer})


@staff_required(perm="customers.add_address")
def address_new(request, pk):
    customer = _customer(request, pk)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_create(customer=customer, actor=_actor(request), **form.cleaned_data)
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "Address added.")
            return redirect("csr:customer", pk=customer.pk)
    return render(request, "customers/csr/address_form.html", {"form": form, "customer": customer})


def media_not_on_form(contact: Contact) -> list[dict]:
    """The form edits the first mobile, phone and e-mail; keep every other medium (a second
    number, a fax) as it was instead of silently dropping it on save."""
    shown, keep = set(), []
    for m in contact.media.all():
        if m.kind in ContactForm.MEDIA_FIELDS and m.kind not in shown:
            shown.add(m.kind)
            continue
        keep.append({"kind": m.kind, "value": m.value, "preferred": m.preferred})
    return keep
