"""Partner test plans (eTOM 1.1.2.2.5 with 1.1.1.5.4.1): a service specification delivered by a partner
(``delivered_by_partner`` / ``partner_name``) is tested by the partner's own test plan, the specification's
``test_plan`` run on the partner's side. Each check is a test step in the partner's worklist
(``partner:<name>``) that waits on the partner's result, reported by callback
(``POST /api/v1/work-orders/<id>/test-result/``, an integrator token) or entered by staff (the worklist's
"record the test" form). Every report is stored as a TestRun on the service order item, compared with the
earlier runs of the same checks; a failure sends the step to the fallout queue (retry after the partner's
repair, or give up)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bss.actors import Actor
from bss.errors import ApplicationError, DomainValidationError
from bss.events import one_event, publish
from bss.fsm import fsm_transition
from service_activation.events import SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE
from service_activation.models import ServiceOrderItem, TestRun, WorkOrder

WO = WorkOrder.Status


def partner_specialty(spec) -> str:
    return f"partner:{spec.partner_name or 'partner'}"


def partner_test_work_orders(item: ServiceOrderItem) -> list[WorkOrder]:
    """The partner's test plan as test steps waiting on the partner (hook of service_orders._work_orders_for)."""
    spec = item.specification
    return [WorkOrder(item=item, kind=WorkOrder.Kind.TEST, sequence=n, code=t["code"], name=t["name"], manual=True,
                      specialty=partner_specialty(spec), adapter="", adapter_config=t.get("config", {}))
            for n, t in enumerate(spec.test_plan or [], start=1)]


def test_results_compared(item: ServiceOrderItem, results: list[dict]) -> list[dict]:
    """Each check's result beside its last earlier result on the same service (or item): ``previous`` (passed
    then, or None when it never ran) and ``change`` (new / same / fixed / regressed)."""
    earlier = TestRun.objects.filter(item__service_id=item.service_id) if item.service_id else item.test_runs.all()
    last: dict[str, bool] = {}
    for run in earlier.order_by("run_at", "id").only("results"):
        for r in run.results or []:
            if isinstance(r, dict) and r.get("code"):
                last[r["code"]] = bool(r.get("passed"))
    out = []
    for r in results:
        previous = last.get(r.get("code"))
        change = ("new" if previous is None else "same" if previous == bool(r.get("passed"))
                  else "fixed" if r.get("passed") else "regressed")
        out.append({**r, "previous": previous, "change": change})
    return out


def _clean_results(wo: WorkOrder, passed: bool, results) -> list[dict]:
    if results in (None, []):
        return [{"code": wo.code, "name": wo.name, "passed": passed, "detail": ""}]
    if not isinstance(results, list):
        raise DomainValidationError({"results": 'A list of {"code", "passed", "detail"}.'})
    out = []
    for n, r in enumerate(results, start=1):
        if not isinstance(r, dict) or not str(r.get("code") or "").strip() or not isinstance(r.get("passed"), bool):
            raise DomainValidationError({"results": f"Result {n}: a code and passed (true or false)."})
        row = {"code": str(r["code"])[:60], "name": str(r.get("name") or r["code"])[:120], "passed": r["passed"],
               "detail": str(r.get("detail") or "")[:500]}
        if isinstance(r.get("measurements"), dict):
            row["measurements"] = r["measurements"]
        out.append(row)
    if passed and not all(r["passed"] for r in out):
        raise DomainValidationError({"passed": "A run with a failed check did not pass."})
    return out


@transaction.atomic
def partner_test_result_report(*, work_order_id: int, passed: bool, actor: Actor, results: list | None = None,
                               detail: str = "", reference: str = "") -> TestRun:
    """Record the partner's result of one test step: a TestRun (the checks, compared with earlier runs), then the
    step is done (the order goes on; the service becomes active once every test passed) or failed (fallout).
    A replay of the same outcome for the same partner reference changes nothing."""
    from service_activation.services.service_orders import _advance, _lock_work_order, _root

    if not isinstance(passed, bool):
        raise DomainValidationError({"passed": "true or false."})
    so, wo = _lock_work_order(work_order_id)
    if wo.kind != WorkOrder.Kind.TEST or not wo.manual:
        raise ApplicationError(f"'{wo.name}' is not a test waiting on a result.")
    if not (wo.item.specification_id and wo.item.specification.delivered_by_partner):
        raise ApplicationError(f"'{wo.name}' is not a partner's test.")
    if wo.status in (WO.DONE, WO.FAILED) and (wo.status == WO.DONE) == passed and (
            wo.result.get("reference", "") == (reference or "")[:100]):
        run = wo.item.test_runs.order_by("-run_at", "-id").first()
        if run is not None:
            return run  # a replayed callback
    if wo.status not in (WO.READY, WO.IN_PROGRESS):
        raise ApplicationError(f"The step '{wo.name}' is {wo.get_status_display().lower()}.")
    checks = _clean_results(wo, passed, results)
    partner = wo.item.specification.partner_name or "partner"
    checks = [{**c, "manual": True, "partner": partner, "reference": (reference or "")[:100]} for c in checks]
    with one_event():
        run = TestRun.objects.create(item=wo.item, service=wo.item.service, passed=passed,
                                     run_by=actor.user if actor.user_id else None,
                                     results=test_results_compared(wo.item, checks))
        wo.result = {**wo.result, "detail": (detail or "")[:500], "reference": (reference or "")[:100],
                     "testRun": run.pk}
        if passed:
            wo.done_at = timezone.now()
            fsm_transition(wo, "finish", actor=actor, reason=detail or f"{partner}: passed", root=_root(so),
                           action="service_activation.work_order.finish")
            _advance(so, actor=actor)
        else:
            failed = ", ".join(c["code"] for c in checks if not c["passed"]) or wo.code
            wo.last_error = (detail or f"{partner}: failed {failed}")[:2000]
            fsm_transition(wo, "fail", actor=actor, reason=wo.last_error[:500], root=_root(so),
                           action="service_activation.work_order.fail")
            publish(SERVICE_ORDER_ATTRIBUTE_VALUE_CHANGE, so)  # the fallout shows on the order
    return run
