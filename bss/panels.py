"""Pages built from parts that each app contributes, without the page importing the app
(docs/portal/panels.md).

- ``Panel``: a card on an object's page (the customer 360): contacts, accounts, orders, bills, disputes…
- ``Flag``: an alert badge in the object's header (VIP, credit referral pending, in collections…).
- ``WorkQueue``: a count with a link on the staff home (approvals waiting for me, clocks in jeopardy…).

Each app registers its parts in ``<app>/portal.py`` (autodiscovered by bss.apps), so a new app adds a panel to the
customer page by adding one module: the customer page never imports orders, billing or interactions.

    register_panel(Panel("orders", "Orders", "orders/panels/orders.html", page="customer", order=40,
                         perm="orders.view_customerorder", context=lambda customer, request: {...}))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_PANELS: dict[str, dict[str, Panel]] = {}
_FLAGS: dict[str, dict[str, Flag]] = {}
_QUEUES: dict[str, WorkQueue] = {}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    page: str = "customer"
    context: Callable[[Any, Any], dict] | None = None  # (obj, request) -> extra template context
    perm: str | None = None  # the panel shows only to users with this permission (staff pages)
    order: int = 100
    empty_text: str = ""  # what an empty panel says (the template decides when it is empty)
    self_service: bool = False  # shown on the customer's own /my/ page too (the template gets selfservice=True)
    wide: bool = False  # spans the page's full width


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    test: Callable[[Any], bool]  # (obj) -> raised?
    page: str = "customer"
    level: str = "warning"  # info | warning | danger: the badge colour
    perm: str | None = None
    help: str = ""  # what the flag means, shown as its title
    order: int = 100


@dataclass(frozen=True)
class WorkQueue:
    key: str
    title: str
    count: Callable[[Any], int]  # (request) -> items waiting
    url: Callable[[Any], str] | str
    perm: str | None = None
    order: int = 100
    help: str = ""


def register_panel(panel: Panel) -> Panel:
    _PANELS.setdefault(panel.page, {})[panel.key] = panel
    return panel


def register_flag(flag: Flag) -> Flag:
    _FLAGS.setdefault(flag.page, {})[flag.key] = flag
    return flag


def register_work_queue(queue: WorkQueue) -> WorkQueue:
    _QUEUES[queue.key] = queue
    return queue


def _may(user, perm: str | None) -> bool:
    return perm is None or user.has_perm(perm)


@dataclass
class RenderedPanel:
    panel: Panel
    context: dict = field(default_factory=dict)


def panels_for(page: str, obj, request, *, self_service: bool = False) -> list[RenderedPanel]:
    """The panels of ``page`` this user sees, in order, each with its context."""
    shown = []
    for panel in sorted(_PANELS.get(page, {}).values(), key=lambda p: (p.order, p.key)):
        if self_service and not panel.self_service:
            continue
        if not self_service and not _may(request.user, panel.perm):
            continue
        ctx = panel.context(obj, request) if panel.context else {}
        shown.append(RenderedPanel(panel, ctx))
    return shown


def flags_for(page: str, obj, user) -> list[Flag]:
    return [f for f in sorted(_FLAGS.get(page, {}).values(), key=lambda f: (f.order, f.key))
            if _may(user, f.perm) and f.test(obj)]


@dataclass
class QueueCount:
    queue: WorkQueue
    count: int
    url: str


def work_queues_for(request) -> list[QueueCount]:
    out = []
    for q in sorted(_QUEUES.values(), key=lambda q: (q.order, q.key)):
        if not _may(request.user, q.perm):
            continue
        out.append(QueueCount(q, q.count(request), q.url(request) if callable(q.url) else q.url))
    return out
