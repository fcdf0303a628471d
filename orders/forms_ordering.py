"""Portal forms and list filters of customer orders (the form pattern: bss/forms.py; the list pattern: bss/tables.py).

The forms validate what a person typed and hand clean keyword arguments to orders.services.ordering; they never
write. ``OrderEntryForm`` is the staff and self-service order entry: offerings with their prices, each chosen
offering's options from its specification (orders.forms.characteristic_field, the qualify screen's inputs) and a
quantity, the install address, the requested date, a priority and notes.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.urls import reverse
from django.utils import timezone

from orders.forms import OfferingChoiceField, characteristic_field, characteristic_name, price_text
from orders.models import CustomerOrder, OrderTask, ProductOffering
from orders.models.ordering import InvestigationClass
from orders.services.ordering import OrderItemInput

QUANTITY_PREFIX = "qty__"
MAX_QUANTITY = 99


def quantity_name(offering_code: str) -> str:
    return f"{QUANTITY_PREFIX}{offering_code}"


def orderable_offerings(channel: str) -> list[ProductOffering]:
    """Active, sellable offerings sold through ``channel`` (an empty sales_channels list: every channel), with
    their prices and their specification's characteristics, in name order."""
    offerings = (ProductOffering.objects.filter(lifecycle_status="active", is_sellable=True)
                 .select_related("specification")
                 .prefetch_related("prices", "specification__characteristics").order_by("name"))
    return [o for o in offerings if o.is_orderable() and (not o.sales_channels or channel in o.sales_channels)]


class OrderEntryForm(forms.Form):
    """A new customer order. ``chosen``: the offering codes whose options to show (on a bound form, the ticked
    ones); ``offerings``: limits the choice (self-service: the offers the customer qualifies for)."""

    offerings = OfferingChoiceField(queryset=ProductOffering.objects.none(), widget=forms.CheckboxSelectMultiple,
                                    to_field_name="code", label="Offerings",
                                    error_messages={"required": "Choose at least one offering."})
    address = forms.ChoiceField(required=False, widget=forms.RadioSelect, label="Install address")
    requested_date = forms.DateField(required=False, label="Requested completion date",
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text="Leave empty for the earliest date we can commit to.")
    priority = forms.TypedChoiceField(choices=CustomerOrder.Priority.choices, coerce=int,
                                      initial=CustomerOrder.Priority.NORMAL, label="Priority")
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                            label="Notes", help_text="Kept with the order for whoever works on it.")
    qualification = forms.CharField(required=False, widget=forms.HiddenInput)
    corrects = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, customer, channel: str = "portal", chosen: list[str] | None = None,
                 offerings: list[ProductOffering] | None = None, self_service: bool = False,
                 resubmission: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        if resubmission:  # a corrected rejected order keeps the original's priority, dates and notes
            for name in ("priority", "requested_date", "notes", "qualification"):
                del self.fields[name]
        self.self_service = self_service
        # Self-service pages never show our offering codes, not even in field values: offerings go by id there.
        self.key = (lambda o: str(o.pk)) if self_service else (lambda o: o.code)
        self.offering_list = offerings if offerings is not None else orderable_offerings(channel)
        by_key = {self.key(o): o for o in self.offering_list}
        field = self.fields["offerings"]
        field.to_field_name = "pk" if self_service else "code"
        field.queryset = ProductOffering.objects.filter(pk__in=[o.pk for o in self.offering_list]).prefetch_related(
            "prices").order_by("name")
        field.widget.attrs.update({
            "hx-get": reverse("my_orders:order_new_options" if self_service else "orders:order_new_options"),
            "hx-trigger": "change", "hx-target": "#order-options", "hx-swap": "innerHTML",
            "hx-include": "#order-form [name='offerings'], #order-form [name='customer'], #order-options"})
        self.addresses = list(customer.addresses.order_by("pk")) if customer is not None else []
        self.fields["address"].choices = [(str(a.pk), a.one_line) for a in self.addresses]
        if self.addresses:
            self.fields["address"].initial = str(self.addresses[0].pk)
        if self_service and "priority" in self.fields:
            del self.fields["priority"]
            self.fields["address"].label = "Where"
            self.fields["requested_date"].label = "When would you like it"
            self.fields["requested_date"].help_text = "Leave empty for the earliest date we can do."
            self.fields["notes"].help_text = "Anything we should know, e.g. when you are at home."
        if chosen is None:
            chosen = self.data.getlist("offerings") if self.is_bound and hasattr(self.data, "getlist") else []
        self.chosen = [by_key[c] for c in dict.fromkeys(str(c) for c in chosen) if c in by_key]
        self.option_fields: list[tuple[ProductOffering, str, list[str]]] = []  # (offering, qty name, char names)
        for offering in sorted(self.chosen, key=lambda o: o.name):
            key = self.key(offering)
            qty = quantity_name(key)
            self.fields[qty] = forms.IntegerField(
                min_value=1, max_value=MAX_QUANTITY, initial=1, label="Quantity",
                error_messages={"min_value": "At least 1.", "max_value": f"At most {MAX_QUANTITY}."})
            names = []
            if offering.specification is not None:
                for c in offering.specification.characteristics.all():
                    name = characteristic_name(key, c.name)
                    self.fields[name] = characteristic_field(c, offering)
                    names.append(name)
            self.option_fields.append((offering, qty, names))

    # --- what the templates read --------------------------------------------------------------------------
    @property
    def option_groups(self):
        """(offering, its price line, quantity field, [characteristic fields]) of the chosen offerings."""
        return [(o, price_text(o.prices.all()), self[qty], [self[n] for n in names])
                for o, qty, names in self.option_fields]

    @property
    def needs_address(self) -> bool:
        return any(o.requires_install_address for o in self.chosen)

    # --- validation ----------------------------------------------------------------------------------------
    def clean_requested_date(self):
        value = self.cleaned_data["requested_date"]
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The requested date cannot be in the past.")
        return value

    def clean(self):
        data = super().clean()
        if self.needs_address and not self.addresses:
            self.add_error("address", "An offering chosen needs an install address: add one to the customer first.")
        address = data.get("address") or ""
        if address and address not in {str(a.pk) for a in self.addresses}:
            self.add_error("address", "Choose one of the customer's addresses.")
        return data

    # --- what the service gets -----------------------------------------------------------------------------
    def items(self) -> list[OrderItemInput]:
        d = self.cleaned_data
        place = d.get("address") or None
        out = []
        for n, (offering, qty, names) in enumerate(self.option_fields, start=1):
            chars = {}
            for name in names:
                value = d.get(name)
                if value not in (None, ""):
                    chars[name.split("__", 2)[2]] = str(value)
            out.append(OrderItemInput(item_id=str(n), offering=offering.code, quantity=d.get(qty) or 1,
                                      characteristics=chars, place=place))
        return out

    def service_names(self) -> dict[str, str]:
        """The service's paths (customer_order_create) named as this form's fields (bss.portal.add_service_errors)."""
        names = {"items": "offerings", "requested_completion_date": "requested_date", "notes": "notes"}
        for n, (_offering, qty, _names) in enumerate(self.option_fields):
            names[f"items[{n}].quantity"] = qty
            names[f"items[{n}].id"] = "offerings"
            names[f"items[{n}].action"] = "offerings"
        return names

    def requested_completion(self) -> dt.datetime | None:
        """The requested date as the end of that working day (17:00 local time)."""
        day = self.cleaned_data.get("requested_date")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))

    def note_list(self) -> list[str]:
        text = (self.cleaned_data.get("notes") or "").strip()
        return [text] if text else []


class ReasonForm(forms.Form):
    """Confirm a change that asks for a reason (cancel, hold, release, retry, give up): recorded in the history."""

    reason = forms.CharField(max_length=500, label="Reason", widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "Say why: it is recorded in the order's history."})


class InvestigateForm(forms.Form):
    """The order investigation unit's finding on a rejected order (orders.services.investigation)."""

    classification = forms.ChoiceField(choices=InvestigationClass.choices, widget=forms.RadioSelect,
                                       label="What went wrong")
    note = forms.CharField(max_length=5000, label="What was found", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="A configuration defect or an unsupported offering is recorded for the "
                                     "catalog administrators, linked to the offering.")


class OrderNoteForm(forms.Form):
    text = forms.CharField(max_length=5000, label="New note", widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": "A note cannot be empty."})


class TaskCompleteForm(forms.Form):
    note = forms.CharField(max_length=2000, required=False, label="Note",
                           widget=forms.TextInput(attrs={"placeholder": "What was done (optional)"}))


def staff_choices():
    """The staff who may be given orders and tasks: portal users, by name."""
    from django.contrib.auth import get_user_model

    from bss.roles import Role

    users = get_user_model().objects.filter(is_active=True, groups__name__in=Role.PORTAL).distinct().order_by(
        "first_name", "last_name", "username")
    return [(str(u.pk), u.get_full_name() or u.get_username()) for u in users]


def team_choices():
    """The teams that work order tasks (the order types' manual steps name them)."""
    from orders.models import OrderTypeStep

    teams = (OrderTypeStep.objects.exclude(team="").order_by("team").values_list("team", flat=True).distinct())
    return [(t, t) for t in teams]


class AssignForm(forms.Form):
    """Give an order to a person and/or a team."""

    user = forms.ChoiceField(required=False, label="Person")
    team = forms.ChoiceField(required=False, label="Team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "— unchanged —"), *staff_choices()]
        self.fields["team"].choices = [("", "— unchanged —"), *team_choices()]

    def clean(self):
        data = super().clean()
        if not data.get("user") and not data.get("team"):
            raise forms.ValidationError("Choose a person, a team or both.")
        return data

    def assignee(self):
        from django.contrib.auth import get_user_model

        pk = self.cleaned_data.get("user")
        return get_user_model().objects.get(pk=pk) if pk else None


# --- list filters (django-filter) ------------------------------------------------------------------------------

class OrderFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CustomerOrder.State.choices, empty_label="Any state", label="State")
    channel = django_filters.ChoiceFilter(choices=CustomerOrder.Channel.choices, empty_label="Any channel",
                                          label="Channel")
    customer = django_filters.CharFilter(field_name="customer__customer_number", lookup_expr="iexact",
                                         label="Customer number")
    number = django_filters.CharFilter(field_name="order_number", lookup_expr="icontains", label="Order number")

    class Meta:
        model = CustomerOrder
        fields = ["state", "channel"]


class TaskFilter(django_filters.FilterSet):
    team = django_filters.ChoiceFilter(choices=team_choices, empty_label="Every team", label="Team")
    status = django_filters.ChoiceFilter(
        choices=[(OrderTask.Status.READY, "Ready"), (OrderTask.Status.IN_PROGRESS, "In progress")],
        empty_label="Ready or in progress", label="Status")

    class Meta:
        model = OrderTask
        fields = ["team", "status"]


# --- change or terminate a customer's products (orders.views.ordering.order_change_new) -------------------

CHANGEABLE_PRODUCT = ("active", "suspended")
TERMINATE = "terminate"
CHANGE_PREFIX = "change:"


def product_choice_name(product) -> str:
    return f"product__{product.pk}"


class ProductChangeForm(forms.Form):
    """What to do with each of the customer's live products: keep it, terminate it, or change it to another
    offering sold through the portal; a reason (kept with the order). It validates what was chosen and builds
    the order items (modify / delete); it never writes."""

    reason = forms.CharField(max_length=500, required=False, label="Reason",
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why the customer changes or ends these products: kept with the order.")

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.products = [p for p in customer.products.order_by("name", "pk") if p.status in CHANGEABLE_PRODUCT]
        offerings = orderable_offerings("portal")
        self.offerings = {o.code: o for o in offerings}
        for p in self.products:
            choices = [("", "Keep as it is"), (TERMINATE, "Terminate")]
            choices += [(f"{CHANGE_PREFIX}{o.code}", f"Change to {o.name} ({price_text(o.prices.all())})")
                        for o in offerings if o.code != p.offering_code]
            label = p.name + (f" · {p.product_serial}" if p.product_serial else "") + \
                f" ({p.get_status_display().lower()})"
            self.fields[product_choice_name(p)] = forms.ChoiceField(choices=choices, required=False, label=label)
        self.order_fields([product_choice_name(p) for p in self.products] + ["reason"])

    def product_fields(self):
        return [self[product_choice_name(p)] for p in self.products]

    def clean(self):
        data = super().clean()
        if self.products and not any(data.get(product_choice_name(p)) for p in self.products):
            raise forms.ValidationError("Choose at least one product to change or terminate.")
        if any(data.get(product_choice_name(p)) == TERMINATE for p in self.products) and not data.get("reason"):
            self.add_error("reason", "Say why the products are terminated: it is kept with the order.")
        return data

    def items(self) -> list[OrderItemInput]:
        out = []
        for p in self.products:
            choice = self.cleaned_data.get(product_choice_name(p)) or ""
            if choice == TERMINATE:
                out.append(OrderItemInput(item_id=str(len(out) + 1), action="delete", product=str(p.pk)))
            elif choice.startswith(CHANGE_PREFIX):
                out.append(OrderItemInput(item_id=str(len(out) + 1), action="modify", product=str(p.pk),
                                                       offering=choice.removeprefix(CHANGE_PREFIX)))
        return out

    def description(self) -> str:
        actions = {i.action for i in self.items()}
        words = "Termination" if actions == {"delete"} else "Change of products"
        reason = self.cleaned_data.get("reason") or ""
        return words + (f": {reason}" if reason else "")

    def request_record(self) -> dict:
        return {"screen": "csr_change", "customer": self.customer.customer_number,
                "items": [{"action": i.action, "product": i.product, "offering": i.offering} for i in self.items()],
                "reason": self.cleaned_data.get("reason") or ""}
