"""Events published by bss.sla (subscribers import these declarations, not string literals).

Both carry the clock as ``event.slaClock`` (render_sla_clock below): the tracked object's reference
(id, @referredType, name, href when the clock type gives one), clock type, step, state, jeopardy
status, escalation level, start, committed, due and projected completion dates. The escalation
event adds ``slaClock.escalation`` (level, trigger, action, role, message, firedDate): the owning
app (or a notifications app) subscribes and acts on it, e.g. tells the role or raises the priority.

    @subscriber(SLA_ESCALATION)
    def on_escalation(event): ...
"""

from django.contrib.contenttypes.models import ContentType

from bss.events import declare_event, register_resource
from bss.tmf.renderers import tmf_datetime

API = "sla"
RESOURCE = "slaClock"

# the jeopardy status changed (at risk, in jeopardy, back on track)
JEOPARDY_ALERT = declare_event("JeopardyAlertEvent", api=API, resource=RESOURCE)
# an escalation step fired
SLA_ESCALATION = declare_event("SlaEscalationEvent", api=API, resource=RESOURCE)

EVENT_TYPES = (JEOPARDY_ALERT, SLA_ESCALATION)


def tracked_object_ref(clock, obj=None) -> dict:
    from .registry import _types

    info = _types.get(clock.clock_type)
    ct = ContentType.objects.get_for_id(clock.content_type_id)  # cached
    ref = {"id": clock.object_id, "@referredType": (info.referred_type if info and info.referred_type
                                                     else f"{ct.app_label}.{ct.model}"),
           "name": clock.object_repr}
    if info and info.href and obj is not None:
        ref["href"] = info.href(obj)
    return ref


def render_sla_clock(clock, *, obj=None, escalation=None) -> dict:
    body = {
        "id": str(clock.pk),
        "@type": "SlaClock",
        "clockType": clock.clock_type,
        "step": clock.step or None,
        "trackedObject": tracked_object_ref(clock, obj),
        "state": clock.state,
        "jeopardyStatus": clock.jeopardy_status,
        "escalationLevel": clock.escalation_level,
        "timeBasis": clock.time_basis,
        "startDate": tmf_datetime(clock.started_at),
        "committedDate": tmf_datetime(clock.committed_at),
        "targetDate": tmf_datetime(clock.target_due_at),
        "dueDate": tmf_datetime(clock.due_at),
        "projectedCompletionDate": tmf_datetime(clock.projected_at),
        "atRiskSince": tmf_datetime(clock.at_risk_since),
        "breachedDate": tmf_datetime(clock.breached_at),
    }
    if escalation is not None:
        body["escalation"] = {
            "level": escalation.level,
            "trigger": escalation.trigger,
            "action": escalation.action,
            "role": escalation.role or None,
            "message": escalation.message or None,
            "firedDate": tmf_datetime(escalation.fired_at),
        }
    return body


def register() -> None:
    from .models import SlaClock

    register_resource(SlaClock, api=API, resource_type=RESOURCE, render=render_sla_clock)
