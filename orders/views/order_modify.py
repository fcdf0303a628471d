"""CSR portal: modify an order before its point of no return (orders.services.order_modify). One page per order:
each open item's quantity, install address and options (from its specification), a tick to remove it, one item to
add, and the reason. The service re-runs validation, feasibility and credit; its refusals show on the form. After
the point of no return the page answers 409 and offers a follow-on change order instead."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, BusinessRuleViolation, DomainValidationError
from bss.portal import staff_required
from orders.models import CustomerOrder, ProductOffering
from orders.services import ordering as ordering_svc
from orders.services.order_modify import OrderItemChange, customer_order_modify, modify_refusal
from orders.services.ordering import OrderItemInput

ORDER_CHANGE = "orders.change_customerorder"
CLOSED_ITEM = ("cancelled", "rejected", "completed", "failed")


class OrderModifyForm(forms.Form):
    """Built per order: ``q_<item>``, ``place_<item>``, ``c_<item>__<characteristic>``, ``remove_<item>`` for each
    open item, then ``add_offering`` / ``add_quantity`` and ``reason``."""

    def __init__(self, *args, order: CustomerOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.items = [i for i in order.items.select_related("offering__specification", "place").order_by("pk")
                      if i.state not in CLOSED_ITEM]
        addresses = list(order.customer.addresses.order_by("pk")) if order.customer_id else []
        places = [("", "— none —")] + [(str(a.pk), str(a)) for a in addresses]
        self.groups = []
        for item in self.items:
            names = []
            name = item.offering.name if item.offering_id else item.offering_code
            self.fields[f"q_{item.item_id}"] = forms.IntegerField(
                label=f"Item {item.item_id} ({name}): quantity", min_value=1, initial=item.quantity)
            names.append(f"q_{item.item_id}")
            self.fields[f"place_{item.item_id}"] = forms.ChoiceField(
                label=f"Item {item.item_id}: install address", choices=places, required=False,
                initial=str(item.place_id or ""))
            names.append(f"place_{item.item_id}")
            spec = item.offering.specification if item.offering_id and item.offering.specification_id else None
            for c in spec.characteristics.all() if spec else []:
                key = f"c_{item.item_id}__{c.name}"
                current = item.characteristics.get(c.name, "")
                if c.allowed_values:
                    self.fields[key] = forms.ChoiceField(
                        label=f"Item {item.item_id}: {c.name}", required=False, initial=str(current),
                        choices=[("", "— not set —")] + [(str(v), str(v)) for v in c.allowed_values])
                else:
                    self.fields[key] = forms.CharField(label=f"Item {item.item_id}: {c.name}", required=False,
                                                       initial=str(current), max_length=200)
                names.append(key)
            self.fields[f"remove_{item.item_id}"] = forms.BooleanField(
                label=f"Remove item {item.item_id}", required=False)
            names.append(f"remove_{item.item_id}")
            self.groups.append((item, names))
        offerings = [o for o in ProductOffering.objects.filter(lifecycle_status="active").order_by("name")
                     if o.is_orderable() and (not o.sales_channels or order.channel in o.sales_channels)]
        self.fields["add_offering"] = forms.ChoiceField(
            label="Add an item: offering", required=False,
            choices=[("", "— nothing to add —")] + [(o.code, o.name) for o in offerings])
        self.fields["add_quantity"] = forms.IntegerField(label="Add an item: quantity", min_value=1, initial=1,
                                                         required=False)
        self.fields["reason"] = forms.CharField(label="Why the order changes", max_length=500)

    def bound_groups(self):
        return [(item, [self[n] for n in names]) for item, names in self.groups]

    def extra_fields(self):
        return [self["add_offering"], self["add_quantity"], self["reason"]]

    def modification(self) -> tuple[list[OrderItemChange], list[OrderItemInput], list[str]]:
        data = self.cleaned_data
        changes, remove = [], []
        for item in self.items:
            if data.get(f"remove_{item.item_id}"):
                remove.append(item.item_id)
                continue
            change = OrderItemChange(item_id=item.item_id)
            if data.get(f"q_{item.item_id}") not in (None, item.quantity):
                change.quantity = data[f"q_{item.item_id}"]
            place = data.get(f"place_{item.item_id}") or ""
            if place != str(item.place_id or ""):
                change.place = place
            chars = {}
            for key, value in data.items():
                if key.startswith(f"c_{item.item_id}__"):
                    name = key.split("__", 1)[1]
                    if (value or "") != str(item.characteristics.get(name, "")):
                        chars[name] = value or None
            change.characteristics = chars or None
            if (change.quantity, change.place, change.characteristics) != (None, None, None):
                changes.append(change)
        add = []
        if data.get("add_offering"):
            taken = {i.item_id for i in self.order.items.all()}
            n = len(taken) + 1
            while str(n) in taken:
                n += 1
            add.append(OrderItemInput(item_id=str(n), offering=data["add_offering"],
                                      quantity=data.get("add_quantity") or 1))
        return changes, add, remove

    def service_error(self, error: DomainValidationError) -> None:
        for path, msgs in error.field_errors.items():
            for m in msgs:
                self.add_error(None, m if path in ("items", "") else f"{path}: {m}")


def _order(request, pk) -> CustomerOrder:
    order = ordering_svc.order_queryset(request.user).select_related("customer").filter(pk=pk).first()
    if order is None:
        raise Http404("No such order")
    return order


@staff_required(perm=ORDER_CHANGE)
def order_modify(request, pk):
    order = _order(request, pk)
    refusal = modify_refusal(order)
    if refusal:
        return render(request, "orders/modify/refused.html", {
            "order": order, "refused": refusal, "follow_on": order.point_of_no_return_passed and order.is_open},
            status=409)
    form = OrderModifyForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        changes, add, remove = form.modification()
        if not (changes or add or remove):
            form.add_error(None, "Nothing changes: change an item, add one or remove one.")
        else:
            try:
                result = customer_order_modify(order_id=order.pk, actor=Actor.from_request(request, Channel.PORTAL),
                                               changes=changes, add=add, remove=remove,
                                               reason=form.cleaned_data["reason"])
            except DomainValidationError as e:
                form.service_error(e)
            except BusinessRuleViolation as e:
                for r in e.extra.get("reasons") or [{"message": e.message}]:
                    form.add_error(None, r["message"])
            except ApplicationError as e:
                return render(request, "orders/modify/refused.html", {
                    "order": order, "refused": e.message, "follow_on": e.code == "point_of_no_return"}, status=409)
            else:
                done = [f"changed {', '.join(result.changed_items)}" if result.changed_items else "",
                        f"added {', '.join(result.added_items)}" if result.added_items else "",
                        f"removed {', '.join(result.removed_items)}" if result.removed_items else ""]
                messages.success(request, f"Order {order.order_number} modified: "
                                          f"{'; '.join(d for d in done if d)}.")
                return redirect("orders:order", pk=order.pk)
    return render(request, "orders/modify/order_modify.html", {"order": order, "form": form},
                  status=422 if form.is_bound and form.errors else 200)

