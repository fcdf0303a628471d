"""Staff portal pages of service recovery (eTOM 1.1.2.2.10, /csr/provisioning/recovery/): the recovery queue
(recovery plans drafted for review, recoveries held for a plan or an authorization) and the review page of a
drafted plan, where an engineer edits its steps and approves it. Thin: parse, call services.recovery, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import staff_required
from service_activation.adapters import known_adapters
from service_activation.models import RecoveryPlan
from service_activation.services import recovery as services

VIEW = "service_activation.view_recoveryplan"
CHANGE = "service_activation.change_recoveryplan"


class StepForm(forms.Form):
    code = forms.SlugField(max_length=60, label="Code")
    name = forms.CharField(max_length=120, label="Step")
    kind = forms.ChoiceField(choices=[("automatic", "Automatic (adapter)"), ("manual", "Manual (team)")],
                             label="Kind")
    adapter = forms.ChoiceField(required=False, label="Adapter",
                                choices=lambda: [("", "—")] + [(a, a) for a in known_adapters()])
    specialty = forms.CharField(max_length=60, required=False, label="Team or element")


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True)


class ReviewForm(forms.Form):
    review_note = forms.CharField(max_length=2000, required=False, label="Review note",
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="What you checked or changed; kept with the plan.")


@staff_required(perm=VIEW)
def recovery_queue(request):
    """Plans to review and recoveries held (why each waits)."""
    return render(request, "service_activation/recovery/queue.html", {
        "plans": services.recovery_plans_to_review(), "held": services.recoveries_held()[:200],
        "can_review": request.user.has_perm(CHANGE)})


def _plan(pk) -> RecoveryPlan:
    plan = RecoveryPlan.objects.select_related("specification", "reviewed_by").filter(pk=pk).first()
    if plan is None:
        raise Http404("No such recovery plan")
    return plan


@staff_required(perm=VIEW)
def recovery_plan_review(request, pk):
    """GET: the drafted plan and what it was drafted from. POST (change_recoveryplan): save the edited steps, and
    with ``approve`` approve it (it becomes the specification's recovery plan; held recoveries go on)."""
    plan = _plan(pk)
    editable = plan.status == RecoveryPlan.Status.DRAFT and request.user.has_perm(CHANGE)
    initial = [{"code": s.get("code"), "name": s.get("name"), "kind": s.get("kind"), "adapter": s.get("adapter", ""),
                "specialty": s.get("specialty", "")} for s in plan.steps]
    if request.method == "POST" and not editable:
        return render(request, "service_activation/recovery/plan.html", {
            "plan": plan, "refused": f"{plan} is {plan.get_status_display().lower()}" if request.user.has_perm(CHANGE)
            else "Reviewing recovery plans is for provisioning engineers."}, status=409 if request.user.has_perm(
            CHANGE) else 403)
    steps = StepFormSet(request.POST or None, initial=initial, prefix="steps")
    review = ReviewForm(request.POST or None, initial={"review_note": plan.review_note})
    status = 200
    if request.method == "POST":
        if steps.is_valid() and review.is_valid():
            rows = [f.cleaned_data for f in steps.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            rows = [{k: v for k, v in r.items() if k != "DELETE"} for r in rows]
            actor = Actor.from_request(request, Channel.PORTAL)
            try:
                services.recovery_plan_update(plan_id=plan.pk, steps=rows, actor=actor,
                                              review_note=review.cleaned_data["review_note"])
                if "approve" in request.POST:
                    services.recovery_plan_approve(plan_id=plan.pk, actor=actor,
                                                   review_note=review.cleaned_data["review_note"])
            except DomainValidationError as e:
                for messages_ in e.field_errors.values():
                    review.add_error(None, " ".join(messages_))
                status = 400
            except ApplicationError as e:
                review.add_error(None, e.message)
                status = 409
            else:
                if "approve" in request.POST:
                    messages.success(request, f"Recovery plan of {plan.specification} approved: held recoveries "
                                              "go on.")
                    return redirect("provisioning:recovery_queue")
                messages.success(request, "Recovery plan saved.")
                return redirect("provisioning:recovery_plan", pk=plan.pk)
        else:
            status = 400
    return render(request, "service_activation/recovery/plan.html", {
        "plan": plan, "steps": steps, "review": review, "editable": editable,
        "held": plan.recoveries.filter(status="held").select_related("item__service_order", "service")},
        status=status)


urlpatterns = [
    path("recovery/", recovery_queue, name="recovery_queue"),
    path("recovery/plans/<int:pk>/", recovery_plan_review, name="recovery_plan"),
]
