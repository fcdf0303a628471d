"""Staff portal screens of order handling: credit checks and the review queue, qualification and the rule tester."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bss.actors import Actor, Channel
from bss.audit.models import HistoryEntry
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, staff_required
from bss.tables import render_list
from bss.tmf.ids import local_id
from customers import selectors as customer_selectors
from customers.scoping import visible_to
from orders import feasibility as fe
from orders.forms import CreditCheckForm, FeasibilityRuleForm, QualifyForm, ReviewForm, RuleTestForm
from orders.models import CreditCheck, FeasibilityRule, OfferingQualification
from orders.services import credit as credit_svc
from orders.services import feasibility as feasibility_svc
from orders.tables import CreditQueueTable


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
            check = credit_svc.credit_check_request(
                customer=form.customer, billing_account=form.account, amount=d["amount"], currency=d["currency"] or None,
                order_reference=d["order_reference"], actor=_actor(request))
        except DomainValidationError as e:
            add_service_errors(form, e)
        except ApplicationError as e:
            form.add_error(None, e.message)
        else:
            _outcome_message(request, check)
            return redirect("orders:credit_check_detail", pk=check.pk)
    recent = credit_svc.credit_check_queryset(request.user).order_by("-created_at", "-id")[:10]
    return render(request, "orders/csr/credit_check_new.html", {"form": form, "recent": recent})


@staff_required(perm="orders.view_creditcheck")
def credit_queue(request):
    """Credit checks awaiting manual review (the list pattern: sortable, paged, swapped over HTMX)."""
    _require(request, "orders.view_creditcheck")
    queue = credit_svc.credit_review_queue(request.user)
    can_review = credit_svc.can_review(request.user)
    reviewable = credit_svc.credit_checks_reviewable(request.user, list(queue[:500])) if can_review else set()
    table_class = CreditQueueTable if can_review else type(
        "CreditQueueReadTable", (CreditQueueTable,), {"Meta": type("Meta", (CreditQueueTable.Meta,),
                                                                   {"exclude": ("decision",)})})
    return render_list(request, table_class, queue, template="orders/csr/credit_queue.html",
                       context={"can_review": can_review, "reviewable": reviewable})


@staff_required(perm="orders.view_creditcheck")
def credit_check_detail(request, pk):
    _require(request, "orders.view_creditcheck")
    check = get_object_or_404(credit_svc.credit_check_queryset(request.user), pk=pk)
    # The check's own history and its approval request's (recorded with the check as their root).
    history = (HistoryEntry.objects.for_object(check) | HistoryEntry.objects.for_root(check)).select_related(
        "actor")[:200]
    return render(request, "orders/csr/credit_check_detail.html", {
        "check": check, "history": history, "review_form": ReviewForm.for_check(check),
        "can_review": check.pk in credit_svc.credit_checks_reviewable(request.user, [check]),
        # a reviewer looking at their own referral is told why there is no form (segregation of duties)
        "own_request": credit_svc.can_review(request.user)
        and request.user.pk in (check.requested_by_id, getattr(check, "approval_requested_by_id", None))})


@staff_required(perm="orders.view_creditcheck")
@require_POST
def credit_review(request, pk):
    check = get_object_or_404(credit_svc.credit_check_queryset(request.user), pk=pk)
    if not credit_svc.can_review(request.user):
        raise PermissionDenied("Your role may not approve or decline credit checks.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        problems = [f"{form.fields[f].label or f}: {' '.join(errs)}" if f in form.fields else " ".join(errs)
                    for f, errs in form.errors.items()]
        messages.error(request, "Choose approve or decline and give the reason for the decision. "
                       + " ".join(problems))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        terms = form.amended_terms() if approve else None
        try:
            check = credit_svc.credit_check_review(check_id=check.pk, approve=approve,
                                                 reason=form.cleaned_data["reason"], actor=_actor(request),
                                                 **({"terms": terms} if terms is not None else {}))
        except DomainValidationError as e:
            messages.error(request, " ".join(m for msgs in e.field_errors.values() for m in msgs))
        except ApplicationError as e:
            messages.error(request, e.message)
        else:
            if check.status == CreditCheck.Status.PENDING_REVIEW:  # above the approver's limit
                messages.warning(request, f"Credit check {check.pk} is above your approval limit: its review is "
                                          f"escalated to {check.approval_escalated_to}.")
            else:
                messages.success(request, f"Credit check {check.pk} {'approved' if approve else 'declined'}.")
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("orders:credit_check_detail", pk=check.pk)


def _order_from_form(form: RuleTestForm) -> dict:
    d = form.cleaned_data
    customer = d["customer_number"]
    address, place = None, None
    if d["postcode"] or d["area_code"]:
        place = fe.Place(area_code=d["area_code"].strip(), postcode=d["postcode"].strip())
    elif customer is not None:
        address = customer.addresses.order_by("pk").first()
    chars = d["characteristics"]
    items = [feasibility_svc.ItemInput(id=str(n), offering=o.code, characteristics=chars.get(o.code, {}))
             for n, o in enumerate(d["offerings"], start=1)]
    prospect = None if customer else {"customer_type": d["prospect_type"] or "individual",
                                      "segment": d["prospect_segment"] or "residential"}
    return {"customer": customer, "address": address, "place": place, "items": items,
            "channel": d["channel"], "prospect": prospect}


def _customer_for(request, number: str):
    return customer_selectors.customer_by_number(user=request.user, customer_number=number) if number else None


def _one_line(place: dict) -> str:
    town = " ".join(p for p in (place.get("postcode", ""), place.get("city", "")) if p)
    return ", ".join(p for p in (place.get("street", ""), town, place.get("country", "")) if p)


@staff_required(perm="orders.add_offeringqualification")
def qualify(request):
    """Qualify offerings (eTOM 1.1.1.5.1): the answer is stored and shown on its own page (PRG), so it can be
    linked, reloaded and come back to from the rule tester."""
    number = (request.POST.get("customer_number") or request.GET.get("customer") or "").strip().upper()
    customer = _customer_for(request, number)
    form = QualifyForm(request.POST or None, user=request.user, customer=customer,
                       initial={"customer_number": number})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = d["customer_number"]
        address, place, typed = None, None, form.install_place()
        if chosen is not None:
            addresses = {str(a.pk): a for a in chosen.addresses.order_by("pk")}
            address = addresses.get(d["address"]) or next(iter(addresses.values()), None)
        if address is None and (typed.get("postcode") or typed.get("area_code")):
            place = fe.Place(area_code=typed.get("area_code", ""), postcode=typed.get("postcode", ""))
        items = [feasibility_svc.ItemInput(id=str(n), offering=o.code, characteristics=d["characteristics"].get(o.code, {}))
                 for n, o in enumerate(d["offerings"], start=1)]
        prospect = None if chosen else {"customer_type": d["prospect_type"] or "individual",
                                        "segment": d["prospect_segment"] or "residential"}
        body = {"screen": "csr", "customer": chosen.customer_number if chosen else None,
                "address": address.one_line if address else (_one_line(typed) or None),
                "postcode": address.postcode if address else typed.get("postcode", ""), "channel": d["channel"],
                "offerings": [o.code for o in d["offerings"]], "characteristics": d["characteristics"]}
        if place is not None:
            body["place"] = typed
        try:
            poq, _ = feasibility_svc.offering_qualification_request(
                actor=_actor(request), reject_input_errors=False, request_body=body,
                customer_ref=str(chosen.pk) if chosen else None, place_ref=str(address.pk) if address else None,
                place=place, items=items, channel=d["channel"], prospect=prospect)
        except DomainValidationError as e:
            add_service_errors(form, e, rename={"customer": "customer_number"})
        else:
            return redirect("feasibility:qualification", pk=poq.pk)
    return render(request, "orders/feasibility/qualify.html", {"form": form, "customer": customer,
                                                               "number": number})


@staff_required(perm="orders.add_offeringqualification")
def qualify_addresses(request):
    """HTMX fragment of the qualify page: for the customer number typed, their addresses as a choice (or why not);
    for none, the prospect's fields and a structured install address."""
    number = (request.GET.get("customer_number") or request.GET.get("customer") or "").strip().upper()
    customer = _customer_for(request, number)
    form = QualifyForm(user=request.user, customer=customer, chosen=[])
    return render(request, "orders/feasibility/_qualify_where.html", {
        "form": form, "customer": customer, "number": number,
        "lookup_error": f"No customer {number}." if number and customer is None else ""})


@staff_required(perm="orders.add_offeringqualification")
def qualify_characteristics(request):
    """HTMX fragment of the qualify page: the options of the chosen offerings (?offering=, repeated), as inputs
    from each one's specification; values already typed (char__… parameters) are kept."""
    chosen = request.GET.getlist("offering") + request.GET.getlist("offerings")
    typed = {k: v for k, v in request.GET.items() if k.startswith("char__")}
    form = QualifyForm(user=request.user, chosen=chosen, initial=typed)
    return render(request, "orders/feasibility/_qualify_options.html", {"form": form})


def _qualification_for(request):
    """The stored qualification the rule tester was opened from (?qualification=), to link back to it."""
    pk = request.GET.get("qualification", "")
    if not pk.isdigit():
        return None
    return visible_to(OfferingQualification.objects.all(), request.user).filter(pk=int(pk)).first()


@staff_required(perm="orders.view_offeringqualification")
def qualification_detail(request, pk):
    poq = get_object_or_404(visible_to(OfferingQualification.objects.select_related("customer", "requested_by"),
                                       request.user), pk=pk)
    return render(request, "orders/feasibility/qualification_detail.html",
                  {"poq": poq, "results": [_snake(item) for item in poq.result]})


def _snake(value):
    """A stored result (camelCase keys, as TMF679 returns it) in the names the results template reads."""
    if isinstance(value, list):
        return [_snake(v) for v in value]
    if isinstance(value, dict):
        out = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _snake(v) for k, v in value.items()}
        if "offering" in out and "offering_code" not in out:
            out["offering_code"] = out["offering"]
        return out
    return value


@staff_required(perm="orders.view_feasibilityrule")
def rule_test(request):
    rule = None
    rule_id = request.POST.get("rule_id") or request.GET.get("rule")
    if rule_id:
        rule = get_object_or_404(FeasibilityRule, pk=local_id(rule_id) or 0)
    test_form = RuleTestForm(request.POST or None, prefix="t", user=request.user)
    rule_form = FeasibilityRuleForm(request.POST or None, instance=rule, prefix="r")
    outcome = None
    if request.method == "POST" and test_form.is_valid():
        candidate, offerings, alternatives = None, None, None
        if rule_form.is_valid():
            candidate = rule_form.save(commit=False)
            offerings = list(rule_form.cleaned_data["offerings"])
            alternatives = list(rule_form.cleaned_data["alternatives"])
        elif "save" in request.POST or rule is not None or rule_form.has_changed():
            messages.error(request, "The edited rule has errors; showing the saved rules only.")
        if "save" in request.POST and candidate is not None:
            if not request.user.has_perm("orders.change_feasibilityrule"):
                raise PermissionDenied("Only catalog administrators may change rules.")
            try:
                saved = feasibility_svc.feasibility_rule_save(rule=candidate, offerings=offerings, alternatives=alternatives,
                                                  actor=Actor.from_request(request, Channel.PORTAL))
                messages.success(request, f"Rule “{saved.name}” saved.")
                return redirect(f"{request.path}?rule={saved.pk}")
            except DomainValidationError as e:
                add_service_errors(rule_form, e)
        order = _order_from_form(test_form)
        try:
            outcome = feasibility_svc.feasibility_rule_test(
                candidate=candidate, offering_codes=[o.code for o in offerings or []],
                alternative_codes=[o.code for o in alternatives or []], **order)
        except DomainValidationError as e:
            add_service_errors(rule_form, e)
    pairs = list(zip(outcome.before, outcome.after, strict=True)) if outcome else []
    return render(request, "orders/feasibility/rule_test.html", {
        "test_form": test_form, "rule_form": rule_form, "rule": rule, "outcome": outcome, "pairs": pairs,
        "rules": FeasibilityRule.objects.order_by("rule_type", "priority", "name"),
        "param_help": fe.PARAM_KEYS, "can_save": request.user.has_perm("orders.change_feasibilityrule"),
        "from_qualification": _qualification_for(request),
    })
