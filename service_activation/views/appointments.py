"""Appointments in the staff portal (/csr/provisioning/): a manual work order's appointment page (book the window
the customer agreed to in one of its team's free slots, rebook it, cancel it; the earlier ones listed) and the
teams' slots (places booked and left; supervisors and provisioning staff open more). Thin: the forms parse, the
services check and write (services.appointments); CSRs may book for the customer they speak to."""

from __future__ import annotations

import datetime as dt

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from bss.actors import Actor, Channel
from bss.errors import ApplicationError, DomainValidationError
from bss.portal import add_service_errors, staff_required
from bss.tables import BssTable, render_list
from service_activation.models import AppointmentSlot
from service_activation.services import appointments as services
from service_activation.views.csr import _work_order

VIEW_WORK = "service_activation.view_workorder"
BOOK = "service_activation.add_appointment"
REBOOK = "service_activation.change_appointment"
VIEW_SLOTS = "service_activation.view_appointmentslot"
OPEN_SLOTS = "service_activation.add_appointmentslot"
WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"), (5, "Saturday"),
            (6, "Sunday")]


def _actor(request) -> Actor:
    return Actor.from_request(request, Channel.PORTAL)


def _slot_label(slot) -> str:
    return (f"{timezone.localtime(slot.starts_at):%a %d %b, %H:%M}–{timezone.localtime(slot.ends_at):%H:%M} "
            f"({slot.free} of {slot.capacity} free)")


class AppointmentForm(forms.Form):
    """Book or rebook: a slot of the team, optionally a narrower window within it, and what was agreed."""

    slot = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="Slot",
                                  error_messages={"required": "Choose the slot the customer agreed to."})
    window_from = forms.TimeField(required=False, label="From (within the slot)",
                                  widget=forms.TimeInput(attrs={"type": "time"}),
                                  help_text="blank: the whole slot")
    window_until = forms.TimeField(required=False, label="Until", widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(max_length=500, required=False, label="Note for the team",
                           help_text="who agreed, access, how to reach them")
    reason = forms.CharField(max_length=500, required=False, label="Why it moves",
                             help_text="rebooking: who asked and why")

    def __init__(self, *args, slots, rebooking: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {s.pk: s for s in slots}
        self.fields["slot"].choices = [(s.pk, _slot_label(s)) for s in slots]
        self.rebooking = rebooking
        if rebooking:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "Say why the appointment moves: it is recorded."
        else:
            del self.fields["reason"]

    def window(self):
        """The agreed window as date-times on the slot's day, or (None, None) for the whole slot."""
        slot = self.slots.get(self.cleaned_data.get("slot"))
        start, until = self.cleaned_data.get("window_from"), self.cleaned_data.get("window_until")
        if slot is None or not (start or until):
            return None, None
        day = timezone.localtime(slot.starts_at).date()
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(dt.datetime.combine(day, start), zone) if start else slot.starts_at
        until = timezone.make_aware(dt.datetime.combine(day, until), zone) if until else slot.ends_at
        return start, until


class CancelAppointmentForm(forms.Form):
    cancel_reason = forms.CharField(max_length=500, label="Why it is cancelled",
                                    error_messages={"required": "Say why the appointment is cancelled."})


def _next(request, wo) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return f"/csr/provisioning/service-orders/{wo.item.service_order_id}/"


@staff_required(perm=(VIEW_WORK, BOOK))
def work_order_appointment(request, pk):
    wo = _work_order(request, pk)
    current = wo.appointments.select_related("slot").filter(status="booked").first()
    team = services.work_order_team(wo)
    slots = list(services.free_slots(team=team)) if team else []
    if current is not None and all(s.pk != current.slot_id for s in slots):
        slots = [*list(services.slots_with_load(AppointmentSlot.objects.filter(pk=current.slot_id))), *slots]
    rebooking = current is not None
    may_rebook = request.user.has_perm(REBOOK)
    form = AppointmentForm(request.POST if "book" in request.POST else None, slots=slots, rebooking=rebooking,
                           initial={"slot": current.slot_id if current else None})
    cancel_form = CancelAppointmentForm(request.POST if "cancel" in request.POST else None)
    status = 200
    if request.method == "POST":
        try:
            if "cancel" in request.POST and may_rebook and cancel_form.is_valid():
                services.appointment_cancel(work_order_id=wo.pk, reason=cancel_form.cleaned_data["cancel_reason"],
                                            actor=_actor(request))
                messages.success(request, f"The appointment for “{wo.name}” is cancelled.")
                return redirect(_next(request, wo))
            if "book" in request.POST and (may_rebook or not rebooking) and form.is_valid():
                start, until = form.window()
                data = {"work_order_id": wo.pk, "slot_id": form.cleaned_data["slot"], "actor": _actor(request),
                        "window_start": start, "window_end": until, "note": form.cleaned_data["note"]}
                if rebooking:
                    appointment = services.appointment_rebook(reason=form.cleaned_data["reason"], **data)
                else:
                    appointment = services.appointment_book(**data)
                messages.success(request, f"“{wo.name}” {'rebooked' if rebooking else 'booked'} for "
                                          f"{timezone.localtime(appointment.window_start):%a %d %b, %H:%M}–"
                                          f"{timezone.localtime(appointment.window_end):%H:%M}.")
                return redirect(_next(request, wo))
        except DomainValidationError as e:
            add_service_errors(form, e, rename={"slot_id": "slot", "window_start": "window_from",
                                                "window_end": "window_until"})
        except ApplicationError as e:
            (cancel_form if "cancel" in request.POST else form).add_error(None, e.message)
            status = 409
        if rebooking and not may_rebook:
            form.add_error(None, "Your role may book appointments, not move or cancel them.")
            status = 403
    errors = form.errors or cancel_form.errors
    return render(request, "service_activation/appointments/work_order_appointment.html", {
        "wo": wo, "team": team, "current": current, "form": form, "cancel_form": cancel_form,
        "may_rebook": may_rebook, "earlier": wo.appointments.select_related("slot").exclude(status="booked"),
        "next": _next(request, wo), "no_slots": not slots},
        status=status if status != 200 else (400 if errors else 200))


# --- the teams' slots ----------------------------------------------------------------------------------

def _teams():
    return [(t, t) for t in AppointmentSlot.objects.order_by("team").values_list("team", flat=True).distinct()]


class SlotFilter(django_filters.FilterSet):
    team = django_filters.ChoiceFilter(choices=_teams, empty_label="Every team", label="Team")

    class Meta:
        model = AppointmentSlot
        fields = ["team"]


class SlotTable(BssTable):
    noun, noun_plural = "slot", "slots"

    team = tables.Column(verbose_name="Team")
    starts_at = tables.DateTimeColumn(verbose_name="From (UTC)", format="D j M Y, H:i")
    ends_at = tables.DateTimeColumn(verbose_name="Until", format="H:i")
    capacity = tables.Column(verbose_name="Capacity")
    booked = tables.Column(verbose_name="Booked")
    free = tables.Column(verbose_name="Free")

    class Meta(BssTable.Meta):
        model = AppointmentSlot
        fields = ("team", "starts_at", "ends_at", "capacity", "booked", "free")
        order_by = ()
        empty_text = "No slot open: open a team's slots below."


class SlotsOpenForm(forms.Form):
    team = forms.CharField(max_length=60, label="Team", help_text="the team whose visits these are, e.g. field-install")
    first_day = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    windows = forms.CharField(max_length=200, label="Windows of the day", initial="08:00-12:00, 13:00-17:00",
                              help_text="comma-separated, e.g. 08:00-12:00, 13:00-17:00 (UTC)")
    capacity = forms.IntegerField(min_value=1, max_value=1000, label="Appointments a slot")
    weekdays = forms.TypedMultipleChoiceField(choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
                                              initial=[0, 1, 2, 3, 4], label="Days of the week")


@staff_required(perm=VIEW_SLOTS)
def appointment_slots(request):
    may_open = request.user.has_perm(OPEN_SLOTS)
    form = SlotsOpenForm(request.POST or None) if may_open else None
    status = 200
    if request.method == "POST":
        if not may_open:
            raise Http404("Nothing to post here")
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["windows"] = [w for w in data["windows"].split(",") if w.strip()]
            try:
                opened = services.appointment_slots_open(actor=_actor(request), **data)
            except DomainValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, f"{opened} slots opened for {data['team']}.")
                return redirect("provisioning:appointment_slots")
        status = 400
    queryset = services.slots_with_load(AppointmentSlot.objects.filter(starts_at__gte=timezone.now())).order_by(
        "starts_at", "team", "pk")
    response = render_list(request, SlotTable, queryset, filterset=SlotFilter(request.GET, queryset=queryset),
                           template="service_activation/appointments/slots.html",
                           context={"form": form, "may_open": may_open})
    response.status_code = status
    return response


urlpatterns = [
    path("work-orders/<int:pk>/appointment/", work_order_appointment, name="work_order_appointment"),
    path("appointment-slots/", appointment_slots, name="appointment_slots"),
]
