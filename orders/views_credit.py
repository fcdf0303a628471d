"""Staff portal (/csr/orders/credit/): run a credit check, the manual review queue, a check's
detail with its review form. Thin: forms + orders.services.credit."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.money import CURRENCIES
from bss.portal import add_service_errors, staff_required
from customers import selectors as customer_selectors

from .models import CreditCheck
from .services import credit as services


class CreditCheckForm(forms.Form):
    customer_number = forms.CharField(max_length=20, label="Customer number",
                                      widget=forms.TextInput(attrs={"placeholder": "CU…", "autocomplete": "off"}))
    account_number = forms.CharField(max_length=20, required=False, label="Billing account number",
                                     help_text="optional: the order's account, whose credit limit is checked")
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                help_text="the order's one-time charges plus its first month of recurring charges")
    currency = forms.ChoiceField(choices=[("", "the account's currency (else EUR)"), *CURRENCIES], required=False)
    order_reference = forms.CharField(max_length=64, required=False, label="Order reference")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = self.account = None

    def clean(self):
        data = super().clean()
        number = (data.get("customer_number") or "").strip()
        if number:
            self.customer = customer_selectors.customer_queryset(self.user).filter(
                customer_number__iexact=number).first()
            if self.customer is None:
                self.add_error("customer_number", f"No customer {number}.")
        account_number = (data.get("account_number") or "").strip()
        if account_number and self.customer is not None:
            self.account = customer_selectors.billing_account_queryset(self.user).filter(
                account_number__iexact=account_number, customer=self.customer).first()
            if self.account is None:
                self.add_error("account_number", f"Customer {self.customer.customer_number} has no account "
                                                 f"{account_number}.")
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"placeholder": "Reason (required)"}))


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("Your role may not do this.")


def _outcome_message(request, check: CreditCheck) -> None:
    text = f"Credit check {check.pk}: {check.get_decision_display().lower()}. {check.reason}"
    if check.status == CreditCheck.Status.PENDING_REVIEW:
        messages.warning(request, f"{text} It waits in the manual review queue.")
    elif check.decision == CreditCheck.Decision.DECLINED:
        messages.error(request, text)
    else:
        messages.success(request, text)


@staff_required(perm="orders.add_creditcheck")
def credit_check_new(request):
    _require(request, "orders.add_creditcheck")
    initial = {"customer_number": request.GET.get("customer", ""), "account_number": request.GET.get("account", "")}
    form = CreditCheckForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            check = services.credit_check_request(
                customer=form.customer, billing_account=form.account, amount=d["amount"], currency=d["currency"] or None,
                order_reference=d["order_reference"], actor=_actor(request))
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            _outcome_message(request, check)
            return redirect("orders:credit_check_detail", pk=check.pk)
    recent = services.credit_check_queryset(request.user).order_by("-created_at", "-id")[:10]
    return render(request, "orders/csr/credit_check_new.html", {"form": form, "recent": recent})


@staff_required(perm="orders.view_creditcheck")
def credit_queue(request):
    _require(request, "orders.view_creditcheck")
    checks = services.credit_review_queue(request.user)[:200]
    return render(request, "orders/csr/credit_queue.html", {
        "checks": checks, "can_review": services.can_review(request.user), "review_form": ReviewForm()})


@staff_required(perm="orders.view_creditcheck")
def credit_check_detail(request, pk):
    _require(request, "orders.view_creditcheck")
    check = get_object_or_404(services.credit_check_queryset(request.user), pk=pk)
    history = HistoryEntry.objects.for_object(check).select_related("actor")[:200]
    return render(request, "orders/csr/credit_check_detail.html", {
        "check": check, "history": history, "can_review": services.can_review(request.user),
        "review_form": ReviewForm()})


@staff_required(perm="orders.view_creditcheck")
@require_POST
def credit_review(request, pk):
    check = get_object_or_404(services.credit_check_queryset(request.user), pk=pk)
    if not services.can_review(request.user):
        raise PermissionDenied("Your role may not approve or decline credit checks.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline and give the reason for the decision.")
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            check = services.credit_check_review(check_id=check.pk, approve=approve,
                                                 reason=form.cleaned_data["reason"], actor=_actor(request))
        except DomainValidationError as e:
            messages.error(request, " ".join(m for msgs in e.field_errors.values() for m in msgs))
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"Credit check {check.pk} {'approved' if approve else 'declined'}.")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("orders:credit_check_detail", pk=check.pk)
