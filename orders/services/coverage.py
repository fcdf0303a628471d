"""Serviceability coverage (the table serviceability rules read): create and update, with history."""

from __future__ import annotations

from django.db import transaction

from bss.actors import Actor
from bss.audit.services import UNSET, given, history_record_created, model_update
from bss.errors import DomainValidationError
from orders.models import CoverageArea

COVERAGE_AREA_FIELDS = ("technology", "area_code", "postcode_prefix", "max_bandwidth_mbps", "is_active")


def _coverage_errors(*, technology: str | None, area_code: str | None, postcode_prefix: str | None,
                     max_bandwidth_mbps: int | None) -> dict:
    errors = {}
    if technology is not None and not technology.strip():
        errors["technology"] = "This field is required."
    if area_code is not None and postcode_prefix is not None and not (area_code.strip() or postcode_prefix.strip()):
        errors["area_code"] = "Give an area code or a postcode prefix."
    if max_bandwidth_mbps is not None and max_bandwidth_mbps <= 0:
        errors["max_bandwidth_mbps"] = "A positive bandwidth, or empty for no limit."
    return errors


@transaction.atomic
def coverage_area_create(*, technology: str, actor: Actor, area_code: str = "", postcode_prefix: str = "",
                         max_bandwidth_mbps: int | None = None, is_active: bool = True) -> CoverageArea:
    errors = _coverage_errors(technology=technology, area_code=area_code, postcode_prefix=postcode_prefix,
                              max_bandwidth_mbps=max_bandwidth_mbps)
    if errors:
        raise DomainValidationError(errors)
    area = CoverageArea.objects.create(technology=technology.strip(), area_code=area_code.strip(),
                                       postcode_prefix=postcode_prefix.strip(),
                                       max_bandwidth_mbps=max_bandwidth_mbps, is_active=is_active)
    history_record_created(obj=area, actor=actor, action="orders.coverage_area.created")
    return area


@transaction.atomic
def coverage_area_update(*, area: CoverageArea, actor: Actor, technology: str = UNSET, area_code: str = UNSET,
                         postcode_prefix: str = UNSET, max_bandwidth_mbps: int | None = UNSET,
                         is_active: bool = UNSET) -> CoverageArea:
    """Only the arguments given change."""
    changes = given(technology=technology, area_code=area_code, postcode_prefix=postcode_prefix,
                    max_bandwidth_mbps=max_bandwidth_mbps, is_active=is_active)
    area = CoverageArea.objects.select_for_update().get(pk=area.pk)
    merged = {f: changes.get(f, getattr(area, f)) for f in COVERAGE_AREA_FIELDS}
    errors = _coverage_errors(technology=merged["technology"], area_code=merged["area_code"],
                              postcode_prefix=merged["postcode_prefix"],
                              max_bandwidth_mbps=merged["max_bandwidth_mbps"])
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=area, fields=COVERAGE_AREA_FIELDS, data=changes, actor=actor,
                 action="orders.coverage_area.updated")
    return area
