"""The type qualifier (e.g. the customer order's order type): a target that names the clock's type wins over one
that names none, whatever the priority; a target naming no type still applies to every other type; the clock
escalates by the chosen target's policy; admin sets the type, checked against the types the clock type registers."""

import pytest
from django.test import Client

from bss.errors import DomainValidationError
from bss.roles import Role
from bss.sla import services
from bss.sla.models import Escalation, EscalationStep, SlaClock, SlaTarget
from bss.sla.registry import register_clock_type
from bss.sla.services import EscalationStepInput as Step
from tests.admin_forms import form_errors
from tests.factories import CustomerFactory, staff_user

from .conftest import CLOCK_TYPE, SYSTEM, berlin
from .test_admin import inline

A = EscalationStep.Action
pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(target):
    """The generic target (16 business hours), one for priority 0 and one for the type 'change' (calendar time)."""
    urgent = services.sla_target_create(name="Urgent", clock_type=CLOCK_TYPE, priority="0", duration_minutes=8 * 60,
                                        calendar=target.calendar, actor=SYSTEM)
    change = services.sla_target_create(name="Changes", clock_type=CLOCK_TYPE, type_code="change",
                                        time_basis="calendar", duration_minutes=4 * 60, jeopardy_margin_minutes=60,
                                        actor=SYSTEM)
    return {"generic": target, "urgent": urgent, "change": change}


def chosen(**qualifiers):
    return services.sla_target_for(clock_type=CLOCK_TYPE, qualifiers=qualifiers)


class TestTargetChoice:
    def test_a_target_naming_the_type_wins_over_the_generic_ones(self, targets):
        assert chosen(type="change") == targets["change"]
        assert chosen(type="change", priority="1", segment="sme") == targets["change"]
        assert chosen(type="change", priority="0") == targets["change"]  # the type weighs more than the priority

    def test_a_target_naming_no_type_applies_to_every_other_type(self, targets):
        assert chosen(type="provide") == targets["generic"]
        assert chosen() == targets["generic"]
        assert chosen(type="terminate", priority="0") == targets["urgent"]

    def test_the_type_and_the_priority_together_beat_the_type_alone(self, targets):
        both = services.sla_target_create(name="Urgent changes", clock_type=CLOCK_TYPE, type_code="change",
                                          priority="0", time_basis="calendar", duration_minutes=60, actor=SYSTEM)
        assert chosen(type="change", priority="0") == both
        assert chosen(type="change", priority="1") == targets["change"]

    def test_an_inactive_type_target_leaves_the_generic_one(self, targets):
        services.sla_target_update(target=targets["change"], active=False, actor=SYSTEM)
        assert chosen(type="change") == targets["generic"]

    def test_one_active_target_per_type(self, targets):
        with pytest.raises(DomainValidationError):
            services.sla_target_create(name="Changes again", clock_type=CLOCK_TYPE, type_code="change",
                                       time_basis="calendar", duration_minutes=60, actor=SYSTEM)
        assert str(targets["change"]) == f"{CLOCK_TYPE} [change]"


class TestClocks:
    def test_the_clock_takes_the_type_target_and_escalates_by_its_policy(self, targets, now):
        services.sla_target_set_escalation_steps(target=targets["generic"], actor=SYSTEM, steps=[
            Step(level=1, trigger="at_risk", action=A.NOTIFY_ROLE, role="CSR", message="generic at risk")])
        services.sla_target_set_escalation_steps(target=targets["change"], actor=SYSTEM, steps=[
            Step(level=1, trigger="at_risk", action=A.NOTIFY_ROLE, role="Supervisor", message="change at risk"),
            Step(level=2, trigger="breached", action=A.RAISE_PRIORITY, message="change overdue")])
        change, other = CustomerFactory(), CustomerFactory()
        services.sla_clock_start(obj=change, clock_type=CLOCK_TYPE, qualifiers={"type": "change", "priority": 1},
                                 actor=SYSTEM)
        services.sla_clock_start(obj=other, clock_type=CLOCK_TYPE, qualifiers={"type": "provide"}, actor=SYSTEM)
        clocks = {c.object_id: c for c in SlaClock.objects.all()}
        assert clocks[str(change.pk)].target == targets["change"]
        assert clocks[str(change.pk)].qualifiers == {"type": "change", "priority": "1"}
        assert clocks[str(change.pk)].due_at == berlin(2025, 3, 3, 13, 0)  # 4 h calendar time, not 16 business h
        assert clocks[str(other.pk)].target == targets["generic"]

        now.set(berlin(2025, 3, 3, 13, 0))  # the change is due; the other one is not at risk yet
        services.sla_scan()
        fired = {(e.clock.object_id, e.level, e.action, e.role)
                 for e in Escalation.objects.select_related("clock")}
        assert fired == {(str(change.pk), 1, A.NOTIFY_ROLE, "Supervisor"), (str(change.pk), 2, A.RAISE_PRIORITY, "")}

    def test_the_set_based_and_the_per_clock_scan_agree(self, targets, now):
        services.sla_target_set_escalation_steps(target=targets["change"], actor=SYSTEM, steps=[
            Step(level=1, trigger="breached", action=A.RAISE_PRIORITY, message="change overdue")])
        a, b = CustomerFactory(), CustomerFactory()
        for obj in (a, b):
            services.sla_clock_start(obj=obj, clock_type=CLOCK_TYPE, qualifiers={"type": "change"}, actor=SYSTEM)
        now.set(berlin(2025, 3, 3, 13, 0))
        SlaClock.objects.filter(object_id=str(b.pk)).update(next_check_at=berlin(2030, 1, 1))
        services.sla_scan(set_based=True)
        SlaClock.objects.filter(object_id=str(b.pk)).update(next_check_at=now.at)
        services.sla_scan(set_based=False)
        assert sorted(Escalation.objects.values_list("clock__object_id", "level", "step__target__name")) == sorted(
            [(str(a.pk), 1, "Changes"), (str(b.pk), 1, "Changes")])


class TestRegisteredTypes:
    @pytest.fixture
    def typed_clock_type(self):
        return register_clock_type(CLOCK_TYPE, label="Customer onboarding", referred_type="Customer",
                                   steps=("acknowledged", "inProgress"), types=lambda: ["change", "provide"])

    def test_a_target_naming_an_unknown_type_is_refused(self, typed_clock_type, office):
        with pytest.raises(DomainValidationError) as e:
            services.sla_target_create(name="x", clock_type=CLOCK_TYPE, type_code="chnage", time_basis="calendar",
                                       duration_minutes=60, actor=SYSTEM)
        assert "'chnage' is not a type of" in str(e.value.field_errors["type_code"])
        services.sla_target_create(name="ok", clock_type=CLOCK_TYPE, type_code="change", time_basis="calendar",
                                   duration_minutes=60, actor=SYSTEM)

    def test_admin_sets_the_type(self, typed_clock_type, office):
        client = Client()
        client.force_login(staff_user(Role.ADMIN))
        data = {"name": "Changes", "clock_type": CLOCK_TYPE, "step": "", "type_code": "change", "priority": "",
                "segment": "", "time_basis": "calendar", "calendar": "", "duration_minutes": "240",
                "jeopardy_margin_minutes": "60", "active": "on", "description": "",
                **inline("escalation_steps", [{"level": "1", "trigger": "breached", "delay_minutes": "0",
                                               "action": "raise_priority", "role": "", "message": ""}])}
        response = client.post("/admin/sla/slatarget/add/", data)
        assert response.status_code == 302, form_errors(response)
        target = SlaTarget.objects.get()
        assert target.type_code == "change" and target.escalation_steps.get().action == A.RAISE_PRIORITY
        response = client.post("/admin/sla/slatarget/add/", {**data, "name": "Typo", "type_code": "chnage"})
        assert "is not a type of" in form_errors(response)
        assert SlaTarget.objects.count() == 1
