"""Work order assignment rules in the staff portal (/csr/provisioning/assignment-rules/, eTOM 1.1.2.2.3): the rules
that route new manual work orders to a team (and optionally a person), listed in the order they are tried;
supervisors and provisioning staff with the permission add, change and switch them off. Thin: the form checks what
the service checks (validate_rule_data), the service writes (services.assignment)."""

from __future__ import annotations

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, staff_required
from bss.tables import BssTable, render_list
from service_activation.models import ServiceSpecification, WorkOrderAssignmentRule
from service_activation.services import assignment as services

VIEW = "service_activation.view_workorderassignmentrule"
ADD = "service_activation.add_workorderassignmentrule"
CHANGE = "service_activation.change_workorderassignmentrule"


class AssignmentRuleTable(BssTable):
    noun, noun_plural = "assignment rule", "assignment rules"

    position = tables.Column(verbose_name="Order")
    name = tables.Column(verbose_name="Rule", linkify=("provisioning:assignment_rule", {"pk": tables.A("pk")}))
    conditions = tables.TemplateColumn(template_name="service_activation/assignment/_conditions.html",
                                       verbose_name="When the work order…", orderable=False, empty_values=())
    team = tables.Column(verbose_name="Team")
    assignee = tables.Column(verbose_name="Given to", default="— (the team)")
    active = tables.TemplateColumn('{% if record.active %}<span class="badge active">Active</span>{% else %}'
                                   '<span class="badge retired">Switched off</span>{% endif %}',
                                   verbose_name="Status")

    class Meta(BssTable.Meta):
        model = WorkOrderAssignmentRule
        fields = ("position", "name", "conditions", "team", "assignee", "active")
        order_by = ()
        empty_text = "No assignment rule: every manual work order goes to its specialty's team."


class AssignmentRuleForm(forms.ModelForm):
    class Meta:
        model = WorkOrderAssignmentRule
        fields = ("name", "position", "active", "specialty", "work_order_kind", "specification", "area_code",
                  "max_priority", "team", "assignee")
        labels = {"position": "Order", "work_order_kind": "Kind of work order", "specification": "Service",
                  "area_code": "Area code", "max_priority": "Priority up to", "assignee": "Give it to",
                  "active": "Active (used for new work orders)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specification"].queryset = ServiceSpecification.objects.order_by("name")
        self.fields["specification"].empty_label = "Any service"
        self.fields["assignee"].queryset = services.assignable_users()
        self.fields["assignee"].empty_label = "Nobody in particular (the team's worklist)"
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["work_order_kind"].choices = [("", "Any kind"), *WorkOrderAssignmentRule.Kind.choices]
        self.fields["max_priority"].widget = forms.Select(choices=[
            ("", "Any priority"), *[(p, f"{p}{' (highest)' if p == 0 else ''} or more urgent")
                                    for p in services.PRIORITIES]])
        self.fields["specialty"].help_text = "blank: any specialty (e.g. field-install, cpe-delivery)"
        self.fields["area_code"].help_text = "blank: anywhere; else the install address's area code"

    def clean(self):
        data = super().clean()
        try:
            services.validate_rule_data({k: v for k, v in data.items() if k in services.RULE_FIELDS})
        except DomainValidationError as e:
            add_service_errors(self, e)
        return data

    def service_data(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in services.RULE_FIELDS}


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


@staff_required(perm=VIEW)
def rules(request):
    queryset = WorkOrderAssignmentRule.objects.select_related("specification", "assignee").order_by(
        "-active", "position", "pk")
    return render_list(request, AssignmentRuleTable, queryset, template="service_activation/assignment/rules.html",
                       context={"can_add": request.user.has_perm(ADD)})


def _save(form, apply):
    try:
        rule = apply(form.service_data())
    except DomainValidationError as e:
        add_service_errors(form, e)
    except ApplicationError as e:
        form.add_error(None, e.message)
    else:
        return rule
    return None


@staff_required(perm=(VIEW, ADD))
def rule_create(request):
    form = AssignmentRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = _save(form, lambda data: services.assignment_rule_create(actor=_actor(request), **data))
        if rule is not None:
            messages.success(request, f"Rule “{rule.name}” added: it routes work orders created from now on.")
            return redirect("provisioning:assignment_rules")
    return render(request, "service_activation/assignment/rule_form.html", {"form": form, "rule": None},
                  status=400 if form.errors else 200)


@staff_required(perm=VIEW)
def rule_detail(request, pk):
    rule = WorkOrderAssignmentRule.objects.select_related("specification", "assignee").filter(pk=pk).first()
    if rule is None:
        raise Http404("No such assignment rule")
    can_change = request.user.has_perm(CHANGE)
    form = AssignmentRuleForm(request.POST or None, instance=rule)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if not can_change:
            return render(request, "service_activation/assignment/rule_form.html",
                          {"form": form, "rule": rule, "refused": "Your role may look at the rules, not change them."},
                          status=403)
        if form.is_valid():
            data = {k: v for k, v in form.service_data().items() if k in form.changed_data}
            saved = _save(form, lambda _: services.assignment_rule_update(
                rule_id=rule.pk, actor=_actor(request), **data))
            if saved is not None:
                messages.success(request, f"Rule “{saved.name}” saved." if data else "Nothing changed.")
                return redirect("provisioning:assignment_rules")
    history = rule_history(rule)
    return render(request, "service_activation/assignment/rule_form.html",
                  {"form": form, "rule": rule, "can_change": can_change, "history": history},
                  status=400 if form.errors else 200)


def rule_history(rule):
    from bss.audit.models import HistoryEntry

    return HistoryEntry.objects.for_object(rule).select_related("actor")[:50]


urlpatterns = [
    path("assignment-rules/", rules, name="assignment_rules"),
    path("assignment-rules/new/", rule_create, name="assignment_rule_create"),
    path("assignment-rules/<int:pk>/", rule_detail, name="assignment_rule"),
]
