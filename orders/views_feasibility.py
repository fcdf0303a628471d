"""Staff screens for feasibility: qualification (1.1.1.5.1) and the rule tester; self-service offers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from bss.actors import Actor, Channel
from bss.errors import DomainValidationError
from bss.portal import add_service_errors, staff_required
from bss.tmf.ids import local_id
from customers.scoping import self_service_customer_id
from customers.selectors import customer_detail

from . import feasibility as fe
from .forms_feasibility import FeasibilityRuleForm, RuleTestForm
from .models import FeasibilityRule
from .services import feasibility as svc


def _order_from_form(form: RuleTestForm) -> dict:
    d = form.cleaned_data
    customer = d["customer_number"]
    address, place = None, None
    if d["postcode"] or d["area_code"]:
        place = fe.Place(area_code=d["area_code"].strip(), postcode=d["postcode"].strip())
    elif customer is not None:
        address = customer.addresses.order_by("pk").first()
    chars = d["characteristics"]
    items = [svc.ItemInput(id=str(n), offering=o.code, characteristics=chars.get(o.code, {}))
             for n, o in enumerate(d["offerings"], start=1)]
    prospect = None if customer else {"customer_type": d["prospect_type"] or "individual",
                                      "segment": d["prospect_segment"] or "residential"}
    return {"customer": customer, "address": address, "place": place, "items": items,
            "channel": d["channel"], "prospect": prospect}


@staff_required(perm="orders.add_offeringqualification")
def qualify(request):
    form = RuleTestForm(request.POST or None, initial={"customer_number": request.GET.get("customer", "")})
    results, poq = None, None
    if request.method == "POST" and form.is_valid():
        order = _order_from_form(form)
        try:
            poq, results = svc.qualification_create(
                actor=Actor.from_request(request, Channel.PORTAL), reject_input_errors=False,
                request_body={"screen": "csr", **{k: str(v) for k, v in form.cleaned_data.items()}}, **order)
        except DomainValidationError as e:
            add_service_errors(form, e)
    return render(request, "orders/feasibility/qualify.html", {"form": form, "results": results, "poq": poq})


@staff_required(perm="orders.view_feasibilityrule")
def rule_test(request):
    rule = None
    rule_id = request.POST.get("rule_id") or request.GET.get("rule")
    if rule_id:
        rule = get_object_or_404(FeasibilityRule, pk=local_id(rule_id) or 0)
    test_form = RuleTestForm(request.POST or None, prefix="t")
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
                saved = svc.feasibility_rule_save(rule=candidate, offerings=offerings, alternatives=alternatives,
                                                  actor=Actor.from_request(request, Channel.PORTAL))
                messages.success(request, f"Rule “{saved.name}” saved.")
                return redirect(f"{request.path}?rule={saved.pk}")
            except DomainValidationError as e:
                add_service_errors(rule_form, e)
        order = _order_from_form(test_form)
        try:
            outcome = svc.feasibility_rule_test(
                candidate=candidate, offering_codes=[o.code for o in offerings or []],
                alternative_codes=[o.code for o in alternatives or []], **order)
        except DomainValidationError as e:
            add_service_errors(rule_form, e)
    pairs = list(zip(outcome.before, outcome.after, strict=True)) if outcome else []
    return render(request, "orders/feasibility/rule_test.html", {
        "test_form": test_form, "rule_form": rule_form, "rule": rule, "outcome": outcome, "pairs": pairs,
        "rules": FeasibilityRule.objects.order_by("rule_type", "priority", "name"),
        "param_help": fe.PARAM_KEYS, "can_save": request.user.has_perm("orders.change_feasibilityrule"),
    })


@login_required
def my_offers(request):
    customer_id = self_service_customer_id(request.user)
    if customer_id is None:
        raise PermissionDenied("This login is not linked to a customer.")
    customer = customer_detail(user=request.user, customer_id=customer_id)
    addresses = list(customer.addresses.all())
    chosen = next((a for a in addresses if str(a.pk) == request.GET.get("address")), addresses[0] if addresses
                  else None)
    offers = svc.offerings_available_to(customer=customer, channel="self_service", address=chosen)
    return render(request, "orders/my/offers.html", {"customer": customer, "offers": offers,
                                                      "addresses": addresses, "chosen": chosen})
