"""Order types (workflow templates: ordered steps, each automatic, manual for a team, an external wait or the
network activation, each of which may set a milestone) and milestone statuses: configured data (seed 000
2.1.1.5.5.2.2 and 1.1.1.5.4.3), changed with history."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, history_record_created, model_update
from bss.errors import DomainValidationError
from orders.models import MilestoneStatus, OrderType, OrderTypeStep

MILESTONE_FIELDS = ("name", "descriptions", "customer_visible")
ORDER_TYPE_FIELDS = ("name", "kind", "description", "expected_minutes", "is_default")
STEP_FIELDS = ("sequence", "code", "name", "kind", "team", "mandatory", "milestone", "expected_minutes",
               "point_of_no_return")


def _descriptions_error(descriptions) -> str | None:
    if not isinstance(descriptions, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in descriptions.items()):
        return 'Descriptions per language, e.g. {"en": "Customer trained", "ga": "..."}.'
    return None


@transaction.atomic
def milestone_create(*, code: str, name: str, actor: Actor, descriptions: dict | None = None,
                     customer_visible: bool = True) -> MilestoneStatus:
    errors = {}
    if not (code or "").strip():
        errors["code"] = "This field is required."
    elif MilestoneStatus.objects.filter(code=code).exists():
        errors["code"] = f"A milestone {code} exists."
    if not (name or "").strip():
        errors["name"] = "This field is required."
    if (problem := _descriptions_error(descriptions or {})):
        errors["descriptions"] = problem
    if errors:
        raise DomainValidationError(errors)
    m = MilestoneStatus.objects.create(code=code.strip(), name=name.strip(), descriptions=descriptions or {},
                                       customer_visible=customer_visible)
    history_record_created(obj=m, actor=actor, action="orders.milestone_status.created")
    return m


@transaction.atomic
def milestone_update(*, milestone: MilestoneStatus, actor: Actor, name: str = UNSET, descriptions: dict = UNSET,
                     customer_visible: bool = UNSET) -> MilestoneStatus:
    if descriptions is not UNSET and (problem := _descriptions_error(descriptions)):
        raise DomainValidationError({"descriptions": problem})
    m = MilestoneStatus.objects.select_for_update().get(pk=milestone.pk)
    model_update(instance=m, fields=MILESTONE_FIELDS, data={"name": name, "descriptions": descriptions,
                                                           "customer_visible": customer_visible},
                 actor=actor, action="orders.milestone_status.updated")
    return m


def _steps_errors(steps: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    codes = [s.get("code") for s in steps]
    seqs = [s.get("sequence") for s in steps]
    if len(set(codes)) != len(codes):
        errors["steps"] = ["Step codes must be unique."]
    if len(set(seqs)) != len(seqs):
        errors.setdefault("steps", []).append("Step sequence numbers must be unique.")
    for n, s in enumerate(steps):
        if s.get("kind") not in OrderTypeStep.Kind.values:
            errors.setdefault(f"steps[{n}].kind", []).append(f"One of {', '.join(OrderTypeStep.Kind.values)}.")
        if s.get("kind") == OrderTypeStep.Kind.MANUAL and not s.get("team"):
            errors.setdefault(f"steps[{n}].team", []).append("A manual step names the team whose worklist gets it.")
    return errors


def _steps_state(ot: OrderType) -> list[dict]:
    return [{f: (getattr(s, f"{f}_id") if f == "milestone" else getattr(s, f)) for f in STEP_FIELDS}
            for s in ot.steps.all()]


@transaction.atomic
def order_type_create(*, code: str, name: str, actor: Actor, kind: str = OrderType.Kind.PROVIDE,
                      description: str = "", expected_minutes: int = 7 * 24 * 60, is_default: bool = False,
                      steps: list[dict] | None = None) -> OrderType:
    errors = {}
    if not (code or "").strip():
        errors["code"] = "This field is required."
    elif OrderType.objects.filter(code=code).exists():
        errors["code"] = f"An order type {code} exists."
    if kind not in OrderType.Kind.values:
        errors["kind"] = f"One of {', '.join(OrderType.Kind.values)}."
    errors.update(_steps_errors(steps or []))
    if errors:
        raise DomainValidationError(errors)
    if is_default:
        OrderType.objects.filter(kind=kind, is_default=True).update(is_default=False)
    ot = OrderType.objects.create(code=code.strip(), name=name, kind=kind, description=description,
                                  expected_minutes=expected_minutes, is_default=is_default)
    OrderTypeStep.objects.bulk_create([OrderTypeStep(order_type=ot, **s) for s in steps or []])
    history_record_created(obj=ot, actor=actor, action="orders.order_type.created")
    return ot


@transaction.atomic
def order_type_update(*, order_type: OrderType, actor: Actor, name: str = UNSET, kind: str = UNSET,
                      description: str = UNSET, expected_minutes: int = UNSET, is_default: bool = UNSET,
                      steps: list[dict] = UNSET) -> OrderType:
    """Steps are replaced as a whole (orders already issued keep the tasks they were given)."""
    ot = OrderType.objects.select_for_update().get(pk=order_type.pk)
    extra = None
    if steps is not UNSET:
        errors = _steps_errors(steps)
        if errors:
            raise DomainValidationError(errors)
        before = _steps_state(ot)
        keep = {s["code"] for s in steps}
        ot.steps.exclude(code__in=keep).filter(tasks__isnull=True).delete()
        for s in steps:
            OrderTypeStep.objects.update_or_create(order_type=ot, code=s["code"], defaults=s)
        after = _steps_state(ot)
        extra = {"steps": [before, after]} if before != after else None
    if is_default is True:
        OrderType.objects.filter(kind=ot.kind if kind is UNSET else kind, is_default=True).exclude(
            pk=ot.pk).update(is_default=False)
    model_update(instance=ot, fields=ORDER_TYPE_FIELDS, data={"name": name, "kind": kind, "description": description,
                                                             "expected_minutes": expected_minutes,
                                                             "is_default": is_default},
                 actor=actor, action="orders.order_type.updated", extra=extra)
    return ot


# --- scheduling order tasks against the committed availability date -------------------------------------------

def order_tasks_schedule(order) -> int:
    """Back-schedule the order's open tasks from its committed availability date: the last step is due at the
    committed date, each earlier step by the expected durations of the steps after it
    (``OrderTypeStep.expected_minutes``; a step without one takes no time of its own). Called where tasks get their
    dates (commit, a new committed date); set-based (one UPDATE); returns the number of tasks dated. Worklists show
    the due date and flag overdue tasks (OrderTask.is_overdue)."""
    import datetime as dt

    from orders.models import OrderTask

    if order.committed_date is None:
        return 0
    tasks = list(OrderTask.objects.filter(order=order).select_related("step").order_by("-sequence"))
    due = order.committed_date
    dated = []
    for t in tasks:
        if t.status not in (OrderTask.Status.DONE, OrderTask.Status.CANCELLED) and t.due_at != due:
            t.due_at = due
            dated.append(t)
        due = due - dt.timedelta(minutes=t.step.expected_minutes or 0)
    OrderTask.objects.bulk_update(dated, ["due_at"])
    return len(dated)


# --- internal notification lists (1.1.1.5.7 Report) -----------------------------------------------------------

NOTIFICATION_LIST_FIELDS = ("name", "active", "event_types", "states", "order_type", "customer_segment",
                            "email_addresses")


def _notification_list_errors(data: dict) -> dict:
    from django.core.validators import validate_email

    from customers.selectors import customer_segments
    from orders.models.ordering import OrderNotificationList
    from orders.notifications import split_addresses
    from orders.ordering_states import TMF622_STATES, TO_TMF622

    errors: dict[str, str] = {}
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = "This field is required."
    kinds = OrderNotificationList.EventKind.values
    events = data.get("event_types")
    if events is not None and (not isinstance(events, list) or any(e not in kinds for e in events)):
        errors["event_types"] = f"A list of: {', '.join(kinds)}."
    states = data.get("states")
    known = set(TMF622_STATES) | set(TO_TMF622)
    if states is not None and (not isinstance(states, list) or any(s not in known for s in states)):
        errors["states"] = f"A list of order states (TMF622 or internal): {', '.join(sorted(known))}."
    segment = data.get("customer_segment")
    segments = [code for code, _ in customer_segments()]
    if segment and segment not in segments:
        errors["customer_segment"] = f"One of {', '.join(segments)} (or blank: any)."
    for address in split_addresses(data.get("email_addresses") or ""):
        try:
            validate_email(address)
        except Exception:
            errors["email_addresses"] = f"'{address}' is not an e-mail address."
            break
    return errors


@transaction.atomic
def notification_list_create(*, name: str, actor: Actor, active: bool = True, event_types: list | None = None,
                             states: list | None = None, order_type: OrderType | None = None,
                             customer_segment: str = "", email_addresses: str = "", users=(), teams=()):
    """An internal notification list (orders.notifications delivers it from the order's events)."""
    from orders.models.ordering import OrderNotificationList

    data = {"name": name, "event_types": event_types or [], "states": states or [],
            "customer_segment": customer_segment or "", "email_addresses": email_addresses or ""}
    errors = _notification_list_errors(data)
    if not errors.get("name") and OrderNotificationList.objects.filter(name=(name or "").strip()).exists():
        errors["name"] = f"A notification list '{name}' exists."
    if errors:
        raise DomainValidationError(errors)
    nl = OrderNotificationList.objects.create(active=active, order_type=order_type, **{**data, "name": name.strip()})
    nl.users.set(list(users))
    nl.teams.set(list(teams))
    history_record_created(obj=nl, actor=actor, action="orders.notification_list.created")
    return nl


@transaction.atomic
def notification_list_update(*, notification_list, actor: Actor, users=UNSET, teams=UNSET, **data):
    """Only the attributes given change (NOTIFICATION_LIST_FIELDS, users, teams)."""
    from orders.models.ordering import OrderNotificationList

    unknown = set(data) - set(NOTIFICATION_LIST_FIELDS)
    if unknown:
        raise TypeError(f"not notification list fields: {', '.join(sorted(unknown))}")
    errors = _notification_list_errors(data)
    if errors:
        raise DomainValidationError(errors)
    nl = OrderNotificationList.objects.select_for_update().get(pk=notification_list.pk)
    extra = {}
    for name, value in (("users", users), ("teams", teams)):
        if value is not UNSET:
            before = sorted(str(x) for x in getattr(nl, name).all())
            getattr(nl, name).set(list(value))
            after = sorted(str(x) for x in getattr(nl, name).all())
            if before != after:
                extra[name] = [before, after]
    model_update(instance=nl, fields=NOTIFICATION_LIST_FIELDS, data=data, actor=actor,
                 action="orders.notification_list.updated", extra=extra or None)
    return nl
