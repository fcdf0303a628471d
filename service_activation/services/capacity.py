"""Capacity at an address (eTOM 1.1.2.2.1 Design Solution, asked by a feasibility assessment): how many resources of
each kind are free in the pools that serve a place. Read-only: nothing is reserved (a reservation for a feasibility
check is ``resources.resource_reserve`` with an expiry). orders' feasibility engine calls this through
orders.services.feasibility (a serviceability rule with ``"resources": [...]``); this app never imports orders.

Which pools serve a place:
- a pool with no access node (numbers, SIMs, IPv4 blocks) serves everywhere: its resources are not tied to a
  place;
- a pool of an access node (ports, VLANs) serves the areas that node covers, from the setting
  ``BSS_ACCESS_NODE_AREAS = {"OLT-DUB-01": {"area_codes": ["D01", ...], "postcode_prefixes": ["D01", ...]}}``;
  an access node the setting does not name serves everywhere (no coverage recorded: nothing is ruled out).

"Free" is what ``resource_reserve`` could hand out without a chosen value: available (free, or a lapsed reservation
or quarantine: resources.available_q) and of the regular category (golden numbers are sold by choice, not handed
out). One query, grouped by pool, whatever the pools' sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from bss.errors import DomainValidationError
from service_activation.models import Resource, ResourceKind, ResourcePool

from .resources import KIND_LABEL

RESOURCE_KINDS = tuple(ResourceKind.values)
State = Resource.State


@dataclass(frozen=True)
class PoolCapacity:
    code: str
    name: str
    access_node: str
    free: int


@dataclass(frozen=True)
class KindCapacity:
    """The free resources of one kind in the pools serving a place (``pools``: each with its own count)."""

    kind: str
    label: str
    free: int
    pools: tuple[PoolCapacity, ...]


def _normalised(postcode: str) -> str:
    return (postcode or "").replace(" ", "").upper()


def access_node_serves(access_node: str, *, area_code: str = "", postcode: str = "") -> bool:
    """Whether an access node covers a place (BSS_ACCESS_NODE_AREAS); a pool without a node serves everywhere."""
    if not access_node:
        return True
    coverage = getattr(settings, "BSS_ACCESS_NODE_AREAS", {}).get(access_node)
    if coverage is None:
        return True
    if area_code and area_code in coverage.get("area_codes", ()):
        return True
    pc = _normalised(postcode)
    return bool(pc) and any(pc.startswith(_normalised(p)) for p in coverage.get("postcode_prefixes", ()) if p)


def capacity_at(*, kinds: list[str], area_code: str = "", postcode: str = "", now: datetime | None = None
                ) -> dict[str, KindCapacity]:
    """Free resources per kind in the pools serving the place (an address's area code and postcode)."""
    unknown = [k for k in kinds if k not in RESOURCE_KINDS]
    if unknown:
        raise DomainValidationError({"kinds": f"Unknown resource kind {', '.join(unknown)}; use "
                                              f"{', '.join(RESOURCE_KINDS)}."})
    now = now or timezone.now()
    free = ((Q(resources__state=State.FREE) | Q(resources__state=State.RESERVED, resources__reserved_until__lte=now)
             | Q(resources__state=State.QUARANTINED, resources__quarantined_until__lte=now))
            & Q(resources__category=Resource.Category.REGULAR))
    pools = (ResourcePool.objects.filter(kind__in=set(kinds)).annotate(free=Count("resources", filter=free))
             .order_by("kind", "code").values("kind", "code", "name", "access_node", "free"))
    serving: dict[str, list[PoolCapacity]] = {k: [] for k in kinds}
    for p in pools:
        if access_node_serves(p["access_node"], area_code=area_code, postcode=postcode):
            serving[p["kind"]].append(PoolCapacity(p["code"], p["name"], p["access_node"], p["free"]))
    return {k: KindCapacity(kind=k, label=KIND_LABEL.get(k, k), free=sum(p.free for p in serving[k]),
                            pools=tuple(serving[k])) for k in kinds}
