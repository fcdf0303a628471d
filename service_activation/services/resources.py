"""Resource pools (eTOM 1.1.2.2.2 Allocate Specific Service Parameters to Services): load, search, reserve,
confirm, release, and the two set-based sweeps (reservation expiry, end of quarantine). docs/resources.md.

Rules in one place:
- "Available" is free, or a reservation whose period ended, or a quarantine that ended: a sweep running late
  never keeps a number from a customer (the row is moved out of its old state, with history, on the way).
- "Next free" takes the lowest available row in load order with ``SELECT ... FOR UPDATE SKIP LOCKED``: parallel
  callers each get a different row and never wait on each other. A chosen value is locked and waited for.
- A holder is a reference string ``<type>:<id>`` (``serviceOrderItem:12``, ``order:CO0000001``). "Next free"
  gives a holder one resource per kind (and pool): a replayed request returns the one it already holds.
- Confirming needs the holder of a live reservation; releasing a reservation frees it, releasing an
  allocation quarantines it for the pool's ``quarantine_days``.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from bss.actors import Actor
from bss.audit.services import UNSET, history_record, history_record_created, model_update
from bss.errors import ApplicationError, DomainValidationError
from bss.fsm import fsm_transition
from service_activation.models import Resource, ResourceKind, ResourcePool

RESOURCE_POOL_FIELDS = ("name", "description", "reservation_minutes", "quarantine_days", "golden_pattern",
                        "access_node")
MAX_RANGE = 1_000_000  # numbers one load may add
MAX_SIM_LINES = 200_000
MAX_IPV4_ADDRESSES = 65_536  # a /16
MAX_RESERVATION_MINUTES = 30 * 24 * 60
MAX_SEARCH = 100
BATCH = 5_000
HOLDER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")
KIND_LABEL = {ResourceKind.MSISDN: "number", ResourceKind.SIM: "SIM", ResourceKind.IPV4: "IPv4 address",
              ResourceKind.PORT: "port", ResourceKind.VLAN: "VLAN"}
State = Resource.State
Category = Resource.Category


# --- pools ---------------------------------------------------------------------------------------------

def _pool_errors(*, reservation_minutes=UNSET, quarantine_days=UNSET, golden_pattern=UNSET) -> dict:
    errors = {}
    if reservation_minutes is not UNSET and not (1 <= (reservation_minutes or 0) <= MAX_RESERVATION_MINUTES):
        errors["reservation_minutes"] = f"Between 1 and {MAX_RESERVATION_MINUTES} minutes."
    if quarantine_days is not UNSET and not (0 <= (quarantine_days if quarantine_days is not None else -1) <= 3650):
        errors["quarantine_days"] = "Between 0 and 3650 days."
    if golden_pattern not in (UNSET, None, ""):
        try:
            re.compile(golden_pattern)
        except re.error as e:
            errors["golden_pattern"] = f"Not a valid regular expression: {e}."
    return errors


@transaction.atomic
def resource_pool_create(*, kind: str, code: str, name: str, actor: Actor, description: str = "",
                         reservation_minutes: int = 30, quarantine_days: int = 90, golden_pattern: str = "",
                         access_node: str = "") -> ResourcePool:
    errors = _pool_errors(reservation_minutes=reservation_minutes, quarantine_days=quarantine_days,
                          golden_pattern=golden_pattern)
    code = (code or "").strip()
    if kind not in ResourceKind.values:
        errors["kind"] = f"'{kind}' is not one of {', '.join(ResourceKind.values)}."
    if not code:
        errors["code"] = "This field is required."
    elif not re.fullmatch(r"[-a-zA-Z0-9_]+", code):
        errors["code"] = "Letters, digits, hyphens and underscores only."
    elif ResourcePool.objects.filter(code=code).exists():
        errors["code"] = f"A resource pool {code} exists."
    if not (name or "").strip():
        errors["name"] = "This field is required."
    if kind in (ResourceKind.PORT, ResourceKind.VLAN) and not (access_node or "").strip():
        errors["access_node"] = "Port and VLAN pools belong to an access node."
    if errors:
        raise DomainValidationError(errors)
    pool = ResourcePool.objects.create(
        kind=kind, code=code, name=name.strip(), description=description or "",
        reservation_minutes=reservation_minutes, quarantine_days=quarantine_days,
        golden_pattern=golden_pattern or "", access_node=(access_node or "").strip())
    history_record_created(obj=pool, actor=actor, action="service_activation.resource_pool.created")
    return pool


@transaction.atomic
def resource_pool_update(*, pool: ResourcePool, actor: Actor, name: str = UNSET, description: str = UNSET,
                         reservation_minutes: int = UNSET, quarantine_days: int = UNSET, golden_pattern: str = UNSET,
                         access_node: str = UNSET, reason: str = "") -> ResourcePool:
    """Only the arguments given change. A new quarantine period or golden rule applies from now on (rows already
    quarantined keep their date; loaded numbers keep their category)."""
    pool = ResourcePool.objects.select_for_update().get(pk=pool.pk)
    errors = _pool_errors(reservation_minutes=reservation_minutes, quarantine_days=quarantine_days,
                          golden_pattern=golden_pattern)
    if name is not UNSET and not (name or "").strip():
        errors["name"] = "This field is required."
    if errors:
        raise DomainValidationError(errors)
    model_update(instance=pool, fields=RESOURCE_POOL_FIELDS, actor=actor, reason=reason,
                 action="service_activation.resource_pool.updated",
                 data={"name": name, "description": description, "reservation_minutes": reservation_minutes,
                       "quarantine_days": quarantine_days, "golden_pattern": golden_pattern,
                       "access_node": access_node})
    return pool


# --- loading -------------------------------------------------------------------------------------------

def number_category(number: str, *, pattern: str = "") -> str:
    """Golden or regular. With the pool's ``pattern`` (a regular expression searched in the number) that
    decides; otherwise the default rule looks at the last four digits: one digit four times (7777), a run up
    or down (1234, 4321), ABAB (1212), AABB (1122) or a round thousand (5000)."""
    if pattern:
        return Category.GOLDEN if re.search(pattern, number) else Category.REGULAR
    tail = number[-4:]
    if len(tail) < 4 or not tail.isdigit():
        return Category.REGULAR
    steps = {int(b) - int(a) for a, b in zip(tail, tail[1:], strict=False)}
    golden = (len(set(tail)) == 1 or steps in ({1}, {-1}) or (tail[0] == tail[2] and tail[1] == tail[3])
              or (tail[0] == tail[1] and tail[2] == tail[3]) or tail[1:] == "000")
    return Category.GOLDEN if golden else Category.REGULAR


def _locked_pool(pool: ResourcePool, kind: str) -> ResourcePool:
    """Loads into one pool run one at a time (the pool row is locked), so the counts they report are exact."""
    pool = ResourcePool.objects.select_for_update().get(pk=pool.pk)
    if pool.kind != kind:
        raise DomainValidationError({"pool": f"{pool.code} is a {pool.get_kind_display()} pool, not {kind}."})
    return pool


def _insert(pool: ResourcePool, rows: Iterable[Resource]) -> int:
    """Multi-row INSERTs of BATCH rows each; a value already in the inventory (any pool of the kind) is
    skipped by the unique constraint, never raised. Returns how many rows were added."""
    before = Resource.objects.filter(pool=pool).count()
    batch: list[Resource] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            Resource.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Resource.objects.bulk_create(batch, ignore_conflicts=True)
    return Resource.objects.filter(pool=pool).count() - before


def _load_recorded(pool: ResourcePool, *, action: str, actor: Actor, reason: str = "", **facts) -> None:
    history_record(obj=pool, action=action, actor=actor, reason=reason,
                   changes={name: [None, value] for name, value in facts.items()})


def normalise_number(value: str) -> str:
    """A number as typed ("087 100 1234", "087-100-1234") as stored (0871001234)."""
    return re.sub(r"[\s\-().]", "", str(value or ""))


@dataclass
class LoadResult:
    """What a load did: rows added, rows that were already there (a replay adds nothing), and for files the
    rejected lines, one by one."""

    added: int = 0
    already_loaded: int = 0
    golden: int = 0
    rejects: list[dict] = field(default_factory=list)  # {"line": n, "text": "...", "reason": "..."}

    def as_dict(self) -> dict:
        return {"added": self.added, "already_loaded": self.already_loaded, "golden": self.golden,
                "rejected": len(self.rejects), "rejects": self.rejects}


@transaction.atomic
def resource_load_number_range(*, pool: ResourcePool, start: str, end: str, actor: Actor,
                               golden: Iterable[str] = (), reason: str = "") -> LoadResult:
    """Load the numbers start..end (inclusive, same length, leading zeros kept) as free rows. ``golden``: numbers
    set golden on load whatever the rule says. Numbers already in the inventory are skipped."""
    pool = _locked_pool(pool, ResourceKind.MSISDN)
    start, end = normalise_number(start), normalise_number(end)
    errors = {}
    for name, value in (("start", start), ("end", end)):
        if not value.isdigit() or not 6 <= len(value) <= 15:
            errors[name] = "A number of 6 to 15 digits."
    if not errors:
        if len(start) != len(end):
            errors["end"] = "Start and end have the same number of digits."
        elif int(end) < int(start):
            errors["end"] = "The end is not before the start."
        elif int(end) - int(start) + 1 > MAX_RANGE:
            errors["end"] = f"At most {MAX_RANGE:,} numbers in one load."
    golden = {normalise_number(g) for g in golden}
    if errors:
        raise DomainValidationError(errors)
    width, first, last = len(start), int(start), int(end)
    counts = {"golden": 0}

    def rows() -> Iterator[Resource]:
        for n in range(first, last + 1):
            value = str(n).zfill(width)
            category = Category.GOLDEN if value in golden else number_category(value, pattern=pool.golden_pattern)
            counts["golden"] += category == Category.GOLDEN
            yield Resource(pool=pool, kind=ResourceKind.MSISDN, value=value, category=category)

    added = _insert(pool, rows())
    result = LoadResult(added=added, already_loaded=(last - first + 1) - added, golden=counts["golden"])
    _load_recorded(pool, action="service_activation.resource_pool.numbers_loaded", actor=actor, reason=reason,
                   range=f"{start}-{end}", added=result.added, already_loaded=result.already_loaded)
    return result


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    """``body`` with its Luhn check digit appended (for making ICCIDs: demo data, tests)."""
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable")


def _sim_line_problem(iccid: str, imsi: str) -> str:
    if not iccid.isdigit() or len(iccid) not in (19, 20) or not iccid.startswith("89"):
        return "ICCID must be 19 or 20 digits starting 89."
    if not luhn_ok(iccid):
        return "ICCID check digit is wrong."
    if not imsi.isdigit() or len(imsi) not in (14, 15):
        return "IMSI must be 14 or 15 digits."
    return ""


@transaction.atomic
def resource_load_sim_file(*, pool: ResourcePool, content: str | bytes, actor: Actor, filename: str = "",
                           reason: str = "") -> LoadResult:
    """A SIM vendor file: CSV lines ``ICCID,IMSI[,PIN1,PUK1,...]`` (a header line and ``#`` comments are
    skipped; PIN/PUK columns are ignored and never stored). Good lines are added, bad ones reported line by
    line; a line already in the inventory with the same pair is counted as already loaded, so replaying a
    file adds nothing."""
    pool = _locked_pool(pool, ResourceKind.SIM)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainValidationError({"content": "The file is not UTF-8 text."}) from None
    result = LoadResult()
    candidates: dict[str, tuple[int, str, str]] = {}  # iccid -> (line, imsi, text)
    seen_imsi: dict[str, int] = {}
    lines = content.splitlines()
    if len(lines) > MAX_SIM_LINES:
        raise DomainValidationError({"content": f"At most {MAX_SIM_LINES:,} lines in one file."})

    def reject(line: int, text: str, why: str) -> None:
        result.rejects.append({"line": line, "text": text[:200], "reason": why})

    for number, text in enumerate(lines, start=1):
        cells = [c.strip() for c in next(csv.reader([text]), [])]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and "iccid" in cells[0].lower():
            continue  # the header
        if len(cells) < 2:
            reject(number, text, "Expected ICCID,IMSI[,PIN,PUK].")
            continue
        iccid, imsi = cells[0], cells[1]
        problem = _sim_line_problem(iccid, imsi)
        if not problem and iccid in candidates:
            problem = f"ICCID repeated (first on line {candidates[iccid][0]})."
        if not problem and imsi in seen_imsi:
            problem = f"IMSI repeated (first on line {seen_imsi[imsi]})."
        if problem:
            reject(number, text, problem)
            continue
        candidates[iccid] = (number, imsi, text)
        seen_imsi[imsi] = number

    by_iccid, by_imsi = {}, {}
    iccids, imsis = list(candidates), list(seen_imsi)
    for i in range(0, len(iccids), BATCH):
        by_iccid.update(Resource.objects.filter(kind=ResourceKind.SIM, value__in=iccids[i:i + BATCH])
                        .values_list("value", "imsi"))
        by_imsi.update(Resource.objects.filter(kind=ResourceKind.SIM, imsi__in=imsis[i:i + BATCH])
                       .values_list("imsi", "value"))
    new = []
    for iccid, (number, imsi, text) in candidates.items():
        if by_iccid.get(iccid) == imsi:
            result.already_loaded += 1
        elif iccid in by_iccid:
            reject(number, text, f"ICCID already loaded with IMSI {by_iccid[iccid]}.")
        elif imsi in by_imsi:
            reject(number, text, f"IMSI already loaded with ICCID {by_imsi[imsi]}.")
        else:
            new.append(Resource(pool=pool, kind=ResourceKind.SIM, value=iccid, iccid=iccid, imsi=imsi))
    result.added = _insert(pool, new)
    result.already_loaded += len(new) - result.added  # loaded by someone else meanwhile
    result.rejects.sort(key=lambda r: r["line"])
    _load_recorded(pool, action="service_activation.resource_pool.sims_loaded", actor=actor, reason=reason,
                   file=filename or "(upload)", added=result.added, already_loaded=result.already_loaded,
                   rejected=len(result.rejects))
    return result


@transaction.atomic
def resource_load_ipv4(*, pool: ResourcePool, cidr: str, actor: Actor, exclude: Iterable[str] = (),
                       reason: str = "") -> LoadResult:
    """The usable host addresses of a CIDR block (network and broadcast left out; ``exclude``: e.g. the
    gateway)."""
    pool = _locked_pool(pool, ResourceKind.IPV4)
    try:
        network = ipaddress.IPv4Network(str(cidr).strip(), strict=True)
    except ValueError as e:
        raise DomainValidationError({"cidr": f"Not an IPv4 network: {e}."}) from None
    if network.num_addresses > MAX_IPV4_ADDRESSES:
        raise DomainValidationError({"cidr": "At most a /16 in one load."})
    try:
        skip = {str(ipaddress.IPv4Address(a.strip())) for a in exclude}
    except ValueError as e:
        raise DomainValidationError({"exclude": f"Not an IPv4 address: {e}."}) from None
    hosts = [str(a) for a in network.hosts() if str(a) not in skip]
    added = _insert(pool, (Resource(pool=pool, kind=ResourceKind.IPV4, value=a,
                                    attributes={"network": str(network)}) for a in hosts))
    result = LoadResult(added=added, already_loaded=len(hosts) - added)
    _load_recorded(pool, action="service_activation.resource_pool.addresses_loaded", actor=actor, reason=reason,
                   network=str(network), added=result.added, already_loaded=result.already_loaded)
    return result


@transaction.atomic
def resource_load_ports(*, pool: ResourcePool, ports_per_slot: int, actor: Actor, slots: int = 1,
                        first_slot: int = 1, reason: str = "") -> LoadResult:
    """The ports of the pool's access node, named ``<node>/<slot>/<port>`` (e.g. OLT-DUB-01/1/16)."""
    pool = _locked_pool(pool, ResourceKind.PORT)
    errors = {}
    if not 1 <= slots <= 64:
        errors["slots"] = "Between 1 and 64."
    if not 1 <= ports_per_slot <= 512:
        errors["ports_per_slot"] = "Between 1 and 512."
    if not 0 <= first_slot <= 64:
        errors["first_slot"] = "Between 0 and 64."
    if errors:
        raise DomainValidationError(errors)
    node = pool.access_node
    names = [(s, p) for s in range(first_slot, first_slot + slots) for p in range(1, ports_per_slot + 1)]
    added = _insert(pool, (Resource(pool=pool, kind=ResourceKind.PORT, value=f"{node}/{s}/{p}",
                                    attributes={"access_node": node, "slot": s, "port": p}) for s, p in names))
    result = LoadResult(added=added, already_loaded=len(names) - added)
    _load_recorded(pool, action="service_activation.resource_pool.ports_loaded", actor=actor, reason=reason,
                   access_node=node, added=result.added, already_loaded=result.already_loaded)
    return result


@transaction.atomic
def resource_load_vlans(*, pool: ResourcePool, start: int, end: int, actor: Actor, reason: str = "") -> LoadResult:
    """VLAN ids start..end (1-4094) of the pool's access node, named ``<node>:<vid>``."""
    pool = _locked_pool(pool, ResourceKind.VLAN)
    if not (1 <= start <= end <= 4094):
        raise DomainValidationError({"end": "VLAN ids run from 1 to 4094, start not after end."})
    node = pool.access_node
    added = _insert(pool, (Resource(pool=pool, kind=ResourceKind.VLAN, value=f"{node}:{vid}",
                                    attributes={"access_node": node, "vlan_id": vid})
                           for vid in range(start, end + 1)))
    result = LoadResult(added=added, already_loaded=(end - start + 1) - added)
    _load_recorded(pool, action="service_activation.resource_pool.vlans_loaded", actor=actor, reason=reason,
                   access_node=node, range=f"{start}-{end}", added=result.added, already_loaded=result.already_loaded)
    return result


# --- search, reserve, confirm, release -----------------------------------------------------------------

def available_q(now: datetime) -> Q:
    """Free, or a reservation whose period ended, or a quarantine that ended (the sweeps tidy these later)."""
    return (Q(state=State.FREE) | Q(state=State.RESERVED, reserved_until__lte=now)
            | Q(state=State.QUARANTINED, quarantined_until__lte=now))


def _wildcard(pattern: str) -> str:
    """``087100*7?`` -> an anchored regular expression: ``*`` any characters, ``?`` one."""
    return "^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$"


def _scope(qs, *, pool: ResourcePool | None, kind: str | None):
    if pool is not None:
        return qs.filter(pool=pool)
    if kind not in ResourceKind.values:
        raise DomainValidationError({"kind": f"Give a pool or a kind ({', '.join(ResourceKind.values)})."})
    return qs.filter(kind=kind)


def resource_queryset(*, pool: ResourcePool | None = None, kind: str | None = None, category: str | None = None,
                      contains: str = "", pattern: str = "", state: str | None = None, holder: str = "",
                      now: datetime | None = None):
    """Resources filtered in the database, in load order (the native API's list). ``state="free"`` means
    available: free, or a lapsed reservation, or an ended quarantine. ``contains``: a part of the value
    (spaces ignored for numbers); ``pattern``: ``*`` and ``?`` wildcards over the whole value."""
    if category not in (None, "", *Category.values):
        raise DomainValidationError({"category": f"One of {', '.join(Category.values)}."})
    if state not in (None, "", *State.values):
        raise DomainValidationError({"state": f"One of {', '.join(State.values)}."})
    if kind not in (None, "", *ResourceKind.values):
        raise DomainValidationError({"kind": f"One of {', '.join(ResourceKind.values)}."})
    qs = Resource.objects.select_related("pool")
    if pool is not None:
        qs = qs.filter(pool=pool)
    if kind:
        qs = qs.filter(kind=kind)
    if state == State.FREE:
        qs = qs.filter(available_q(now or timezone.now()))
    elif state:
        qs = qs.filter(state=state)
    number = (pool.kind if pool is not None else kind) == ResourceKind.MSISDN
    if category:
        qs = qs.filter(category=category)
    if contains:
        qs = qs.filter(value__contains=normalise_number(contains) if number else contains.strip())
    if pattern:
        qs = qs.filter(value__regex=_wildcard(normalise_number(pattern) if number else pattern.strip()))
    if holder:
        qs = qs.filter(holder=holder.strip())
    return qs.order_by("id")


def resource_search_free(*, pool: ResourcePool | None = None, kind: str | None = None, category: str | None = None,
                         contains: str = "", pattern: str = "", limit: int = 20,
                         now: datetime | None = None) -> list[Resource]:
    """Available resources of a pool (or of a kind), in load order: what a customer choosing a number is shown
    (see resource_queryset for ``contains`` and ``pattern``)."""
    if not 1 <= limit <= MAX_SEARCH:
        raise DomainValidationError({"limit": f"Between 1 and {MAX_SEARCH}."})
    if pool is None and kind not in ResourceKind.values:
        raise DomainValidationError({"kind": f"Give a pool or a kind ({', '.join(ResourceKind.values)})."})
    return list(resource_queryset(pool=pool, kind=kind, category=category, contains=contains, pattern=pattern,
                                  state=State.FREE, now=now)[:limit])


def _holder(holder: str) -> str:
    holder = (holder or "").strip()
    if not HOLDER_RE.match(holder) or len(holder) > 100:
        raise DomainValidationError({"holder": "A reference <type>:<id>, e.g. serviceOrderItem:12 or "
                                               "order:CO0000001 (at most 100 characters)."})
    return holder


def _move(resource: Resource, transition: str, *, actor: Actor, action: str, reason: str = "", **values) -> Resource:
    """Set the dates and holder, run the transition through bss.fsm (locked row, checked move, saved) and
    record one history row with the state and the values that changed."""
    before = {name: getattr(resource, name) for name in values}
    from_state = resource.state
    for name, value in values.items():
        setattr(resource, name, value)
    fsm_transition(resource, transition, actor=actor, state_field="state", record=False)
    changes = {"state": [from_state, resource.state]}
    for name, value in values.items():
        old = before[name]
        if old != value:
            changes[name] = [old.isoformat() if isinstance(old, datetime) else old,
                             value.isoformat() if isinstance(value, datetime) else value]
    history_record(obj=resource, action=action, actor=actor, reason=reason, from_state=from_state,
                   to_state=resource.state, changes=changes)
    return resource


def _tidy(resource: Resource, now: datetime, actor: Actor) -> None:
    """A lapsed reservation or an ended quarantine found on the way: move it to free first (recorded)."""
    if resource.state == State.RESERVED and resource.reserved_until <= now:
        _move(resource, "expire", actor=actor, action="service_activation.resource.expired",
              holder="", reserved_until=None)
    elif resource.state == State.QUARANTINED and resource.quarantined_until <= now:
        _move(resource, "release_quarantine", actor=actor, action="service_activation.resource.quarantine_ended",
              quarantined_until=None)


def _label(kind: str) -> str:
    return KIND_LABEL.get(kind, kind)


@transaction.atomic
def resource_reserve(*, holder: str, actor: Actor, pool: ResourcePool | None = None, kind: str | None = None,
                     value: str | None = None, category: str | None = None, minutes: int | None = None,
                     reason: str = "") -> Resource:
    """Reserve a chosen ``value`` (a customer's number) or the next free resource of a pool or kind (regular
    numbers unless ``category`` says golden) for ``holder``, for ``minutes`` (default: the pool's
    reservation period). No free resource, or a chosen one that is not free: 409."""
    holder = _holder(holder)
    kind = pool.kind if pool is not None else kind
    if kind not in ResourceKind.values:
        raise DomainValidationError({"kind": f"Give a pool or a kind ({', '.join(ResourceKind.values)})."})
    if minutes is not None and not 1 <= minutes <= MAX_RESERVATION_MINUTES:
        raise DomainValidationError({"minutes": f"Between 1 and {MAX_RESERVATION_MINUTES} minutes."})
    if category not in (None, "", *Category.values):
        raise DomainValidationError({"category": f"One of {', '.join(Category.values)}."})
    now = timezone.now()
    if value:
        locked = Resource.objects.select_related("pool").select_for_update(of=("self",))
        value = normalise_number(value) if kind == ResourceKind.MSISDN else str(value).strip()
        resource = _scope(locked.filter(value=value), pool=pool, kind=kind).first()
        if resource is None:
            where = f"pool {pool.code}" if pool is not None else "the inventory"
            raise DomainValidationError({"value": f"{value} is not a {_label(kind)} in {where}."})
        if resource.holder == holder and resource.state in (State.RESERVED, State.ALLOCATED) and (
                resource.state == State.ALLOCATED or resource.reserved_until > now):
            return resource  # a replay: it is already theirs
        _tidy(resource, now, actor)
        if resource.state != State.FREE:
            raise ApplicationError(f"{_label(kind).capitalize()} {value} is not available (it is "
                                   f"{resource.get_state_display().lower()}); choose another.",
                                   code="resource_not_free", extra={"value": value, "state": resource.state})
    else:
        held = _scope(Resource.objects.select_related("pool").filter(holder=holder), pool=pool, kind=kind).filter(
            Q(state=State.ALLOCATED) | Q(state=State.RESERVED, reserved_until__gt=now)).order_by("id").first()
        if held is not None:
            return held  # one per holder and kind: a replayed "next free" gets the same one
        candidates = _scope(Resource.objects.select_related("pool").filter(available_q(now)), pool=pool,
                            kind=kind).filter(category=category or Category.REGULAR)
        # SKIP LOCKED: a row another caller is reserving right now is passed over, not waited for
        resource = candidates.select_for_update(of=("self",), skip_locked=True).order_by("id").first()
        if resource is None:
            where = f" in {pool.name}" if pool is not None else ""
            raise ApplicationError(f"No free {_label(kind)} is left{where}.", code="no_free_resource",
                                   extra={"kind": kind, **({"pool": pool.code} if pool is not None else {})})
        _tidy(resource, now, actor)
    until = now + timedelta(minutes=minutes or resource.pool.reservation_minutes)
    return _move(resource, "reserve", actor=actor, action="service_activation.resource.reserved", reason=reason,
                 holder=holder, reserved_until=until)


def _locked_resource(resource_id: int) -> Resource:
    resource = Resource.objects.select_related("pool").select_for_update(of=("self",)).filter(pk=resource_id).first()
    if resource is None:
        raise DomainValidationError({"resource": f"No resource {resource_id}."})
    return resource


@transaction.atomic
def resource_confirm(*, resource_id: int, holder: str, actor: Actor, reason: str = "") -> Resource:
    """The holder's reservation becomes an allocation (seed 001: "previously reserved specific service parameters
    are marked as allocated"). A lapsed reservation cannot be confirmed: reserve again."""
    holder = _holder(holder)
    resource = _locked_resource(resource_id)
    now = timezone.now()
    if resource.state == State.ALLOCATED and resource.holder == holder:
        return resource  # a replay
    if resource.state != State.RESERVED or resource.holder != holder:
        raise ApplicationError(f"{resource.value} is not reserved for {holder}.", code="not_reserved",
                               extra={"state": resource.state})
    if resource.reserved_until <= now:
        raise ApplicationError(f"The reservation of {resource.value} ended at "
                               f"{timezone.localtime(resource.reserved_until):%Y-%m-%d %H:%M}; reserve it again.",
                               code="reservation_expired")
    return _move(resource, "confirm", actor=actor, action="service_activation.resource.allocated", reason=reason,
                 reserved_until=None, allocated_at=now)


@transaction.atomic
def resource_allocate(*, holder: str, actor: Actor, pool: ResourcePool | None = None, kind: str | None = None,
                      value: str | None = None, category: str | None = None, reason: str = "") -> Resource:
    """Reserve and confirm in one use case (a service order allocating what no earlier step reserved): the same
    rules, replays and 409s as resource_reserve, then the allocation; both moves are in the history."""
    resource = resource_reserve(holder=holder, actor=actor, pool=pool, kind=kind, value=value, category=category,
                                reason=reason)
    return resource_confirm(resource_id=resource.pk, holder=holder, actor=actor, reason=reason)


@transaction.atomic
def resource_release(*, resource_id: int, actor: Actor, holder: str | None = None, reason: str = "") -> Resource:
    """Give a resource back. A reservation becomes free at once; an allocation rests in quarantine for the
    pool's quarantine_days. ``holder``: only if it holds it (the API always says; an administrator's release
    may leave it out)."""
    if holder is not None:
        holder = _holder(holder)
    resource = _locked_resource(resource_id)
    now = timezone.now()
    if resource.state not in (State.RESERVED, State.ALLOCATED) or (
            resource.state == State.RESERVED and resource.reserved_until <= now):
        raise ApplicationError(f"{resource.value} is not reserved or allocated.", code="not_held",
                               extra={"state": resource.state})
    if holder is not None and resource.holder != holder:
        raise ApplicationError(f"{resource.value} is not held by {holder}.", code="not_held")
    if resource.state == State.RESERVED:
        return _move(resource, "release", actor=actor, action="service_activation.resource.released",
                     reason=reason, holder="", reserved_until=None)
    return _move(resource, "quarantine", actor=actor, action="service_activation.resource.quarantined",
                 reason=reason, holder="", allocated_at=None,
                 quarantined_until=now + timedelta(days=resource.pool.quarantine_days))


@transaction.atomic
def resources_release_held_by(*, holder: str, actor: Actor, reason: str = "") -> list[Resource]:
    """Release everything a holder holds (e.g. a cancelled order), each as resource_release does."""
    holder = _holder(holder)
    ids = list(Resource.objects.filter(holder=holder, state__in=(State.RESERVED, State.ALLOCATED))
               .order_by("id").values_list("id", flat=True))
    released = []
    for resource_id in ids:
        try:
            released.append(resource_release(resource_id=resource_id, holder=holder, actor=actor, reason=reason))
        except ApplicationError:
            continue  # lapsed meanwhile: nothing to give back
    return released


# --- the sweeps: set-based ------------------------------------------------------------------------------

def _sweep(*, source: str, until_field: str, set_sql: str, now: datetime) -> dict[int, int]:
    """One UPDATE over every pool; returns {pool_id: rows moved}. On PostgreSQL the UPDATE reports its rows per
    pool in the same statement (a CTE); elsewhere (the embedded SQLite, whose write transactions are exclusive)
    the rows are counted first, then updated, inside the same transaction."""
    table = Resource._meta.db_table
    where = f"state = %s AND {until_field} <= %s"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH moved AS (UPDATE {table} SET {set_sql}, updated_at = %s WHERE {where} RETURNING pool_id) "
                "SELECT pool_id, count(*) FROM moved GROUP BY pool_id", [now, source, now])
            return dict(cursor.fetchall())
    per_pool = dict(Resource.objects.filter(**{"state": source, f"{until_field}__lte": now})
                    .values("pool_id").annotate(n=Count("id")).values_list("pool_id", "n"))
    if per_pool:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET {set_sql}, updated_at = %s WHERE {where}", [now, source, now])
    return per_pool


def _summarise(per_pool: dict[int, int], *, action: str, actor: Actor, now: datetime, name: str) -> int:
    for pool in ResourcePool.objects.filter(pk__in=per_pool).order_by("pk"):
        history_record(obj=pool, action=action, actor=actor, changes={name: [None, per_pool[pool.pk]]},
                       reason=f"due by {now.isoformat()}")
    return sum(per_pool.values())


@transaction.atomic
def resources_expire_reservations(*, actor: Actor, now: datetime | None = None) -> int:
    """Every reservation whose period ended becomes free: one UPDATE (the FSM's reserved -> free ``expire``,
    set-based), and one summary history row per pool with the count. Each reservation's own history row
    already says who held it until when. Returns how many expired."""
    now = now or timezone.now()
    per_pool = _sweep(source=State.RESERVED, until_field="reserved_until", now=now,
                      set_sql="state = 'free', holder = '', reserved_until = NULL")
    return _summarise(per_pool, action="service_activation.resource_pool.reservations_expired", actor=actor,
                      now=now, name="expired")


@transaction.atomic
def resources_release_quarantine(*, actor: Actor, now: datetime | None = None) -> int:
    """Every quarantine that ended becomes free: one UPDATE (quarantined -> free), one summary row per pool."""
    now = now or timezone.now()
    per_pool = _sweep(source=State.QUARANTINED, until_field="quarantined_until", now=now,
                      set_sql="state = 'free', quarantined_until = NULL")
    return _summarise(per_pool, action="service_activation.resource_pool.quarantine_released", actor=actor,
                      now=now, name="released")


# --- demo data -----------------------------------------------------------------------------------------

DEMO_SIM_COUNT = 200


def demo_sim_file(count: int = DEMO_SIM_COUNT, *, start: int = 0) -> str:
    """A vendor file of ``count`` SIMs: Irish ICCIDs (89 353 01 ...) with check digits, IMSIs 272 01 ..., and
    PIN/PUK columns (which loading ignores)."""
    lines = ["ICCID,IMSI,PIN1,PUK1"]
    for i in range(start, start + count):
        lines.append(f"{luhn_complete(f'893530100{i:010d}')},27201{i:010d},0000,{12345678 + i}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def resources_demo_seed(actor: Actor) -> dict[str, ResourcePool]:
    """Demo pools, loaded through the services (running it again adds nothing): numbers 087 100 0000-1999 (the
    default golden rule marks some, 087 100 1234 and 087 100 1888 are set golden on load), 200 SIMs, an IPv4 /24,
    and the ports and VLANs of one access node."""
    specs = [
        dict(kind=ResourceKind.MSISDN, code="msisdn-087-100", name="Mobile numbers 087 100 xxxx",
             reservation_minutes=30, quarantine_days=90),
        dict(kind=ResourceKind.SIM, code="sim-demo", name="SIM cards (demo vendor batch)", reservation_minutes=60,
             quarantine_days=0),
        dict(kind=ResourceKind.IPV4, code="ipv4-198-51-100", name="Customer IPv4 198.51.100.0/24",
             reservation_minutes=30, quarantine_days=7),
        dict(kind=ResourceKind.PORT, code="ports-olt-dub-01", name="Ports of OLT-DUB-01", access_node="OLT-DUB-01",
             reservation_minutes=120, quarantine_days=1),
        dict(kind=ResourceKind.VLAN, code="vlans-olt-dub-01", name="VLANs of OLT-DUB-01", access_node="OLT-DUB-01",
             reservation_minutes=120, quarantine_days=1),
    ]
    pools = {}
    for spec in specs:
        pool = ResourcePool.objects.filter(code=spec["code"]).first() or resource_pool_create(actor=actor, **spec)
        pools[pool.code] = pool
    resource_load_number_range(pool=pools["msisdn-087-100"], start="0871000000", end="0871001999", actor=actor,
                               golden=["0871001888"], reason="demo data")
    resource_load_sim_file(pool=pools["sim-demo"], content=demo_sim_file(), filename="demo-sims.csv",
                           actor=actor, reason="demo data")
    resource_load_ipv4(pool=pools["ipv4-198-51-100"], cidr="198.51.100.0/24", exclude=["198.51.100.1"],
                       actor=actor, reason="demo data")
    resource_load_ports(pool=pools["ports-olt-dub-01"], slots=2, ports_per_slot=16, actor=actor, reason="demo data")
    resource_load_vlans(pool=pools["vlans-olt-dub-01"], start=100, end=199, actor=actor, reason="demo data")
    return pools
