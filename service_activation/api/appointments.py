"""Native API of appointments for manual work orders (field installation, CPE delivery): thin viewsets over
service_activation.services.appointments.

- ``/api/v1/appointment-slots/``: a team's slots with ``booked`` and ``free`` places (``?team=``, ``?free=true``,
  ``?from=`` / ``?to=`` ISO dates); POST opens slots over days and windows (add_appointmentslot); PATCH changes a
  slot's capacity (change_appointmentslot), never below what is booked.
- ``/api/v1/appointments/``: list (``?work_order=``, ``?status=``) and retrieve; POST books the customer's agreed
  window for a work order (add_appointment); ``/{id}/rebook/`` and ``/{id}/cancel/`` (change_appointment), each
  with a reason. A full slot, a work order already booked or no longer waiting for its visit is 409; bad input 400.
"""

from __future__ import annotations

from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bss.actors import Actor
from bss.errors import ApplicationError
from bss.tmf.ids import local_id
from service_activation.models import Appointment, AppointmentSlot
from service_activation.services import appointments as services

CHANGE = ["service_activation.view_appointment", "service_activation.change_appointment"]


class AppointmentSlotSerializer(serializers.ModelSerializer):
    booked = serializers.IntegerField(read_only=True, help_text="places taken by booked appointments")
    free = serializers.IntegerField(read_only=True, help_text="places left")

    class Meta:
        model = AppointmentSlot
        fields = ["id", "team", "starts_at", "ends_at", "capacity", "booked", "free"]
        read_only_fields = ["id", "team", "starts_at", "ends_at", "booked", "free"]


class SlotsOpenSerializer(serializers.Serializer):
    team = serializers.CharField(max_length=60)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    windows = serializers.ListField(child=serializers.CharField(max_length=20), allow_empty=False,
                                    help_text='windows of the day, e.g. ["08:00-12:00", "13:00-17:00"]')
    capacity = serializers.IntegerField(min_value=1, max_value=1000)
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), required=False,
                                     default=[0, 1, 2, 3, 4], help_text="0 is Monday; default Monday to Friday")


class SlotsOpenedSerializer(serializers.Serializer):
    opened = serializers.IntegerField(help_text="slots opened (those already open are left as they are)")


class CapacitySerializer(serializers.Serializer):
    capacity = serializers.IntegerField(min_value=0, max_value=1000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AppointmentSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="slot.team", read_only=True)
    service_order = serializers.CharField(source="work_order.item.service_order.order_number", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "work_order", "service_order", "slot", "team", "window_start", "window_end", "status", "note",
                  "replaced_by", "cancellation_reason", "created_at"]
        read_only_fields = fields


ID = {"min_value": 1, "max_value": 2**63 - 1}


class BookSerializer(serializers.Serializer):
    work_order = serializers.IntegerField(**ID)
    slot = serializers.IntegerField(**ID)
    window_start = serializers.DateTimeField(required=False, help_text="the agreed window; default the whole slot")
    window_end = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RebookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(**ID)
    reason = serializers.CharField(max_length=500)
    window_start = serializers.DateTimeField(required=False)
    window_end = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _date(request, name):
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: "An ISO date (YYYY-MM-DD)."})
    return value


def _text(request, name) -> str:
    value = request.query_params.get(name) or ""
    if "\x00" in value:
        raise ValidationError({name: "No NUL characters."})
    return value


class AppointmentSlotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A team's bookable slots, with the places booked and left."""

    serializer_class = AppointmentSlotSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = services.slots_with_load()
        params = self.request.query_params
        if team := _text(self.request, "team"):
            qs = qs.filter(team=team)
        if (first := _date(self.request, "from")) is not None:
            qs = qs.filter(starts_at__date__gte=first)
        if (last := _date(self.request, "to")) is not None:
            qs = qs.filter(starts_at__date__lte=last)
        if params.get("free") in ("true", "1"):
            qs = qs.filter(free__gt=0)
        return qs.order_by("starts_at", "team", "pk")

    @extend_schema(parameters=[OpenApiParameter("team", str), OpenApiParameter("from", str),
                               OpenApiParameter("to", str), OpenApiParameter("free", bool)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SlotsOpenSerializer, responses={201: SlotsOpenedSerializer})
    def create(self, request):
        """Open a team's slots: each window on each chosen weekday from first_day to last_day (UTC)."""
        data = _valid(SlotsOpenSerializer, request)
        opened = services.appointment_slots_open(actor=Actor.from_request(request), **data)
        return Response({"opened": opened}, status=status.HTTP_201_CREATED)

    @extend_schema(request=CapacitySerializer, responses=AppointmentSlotSerializer)
    def partial_update(self, request, pk=None):
        """Change a slot's capacity (never below the appointments booked in it)."""
        slot = self.get_object()
        data = _valid(CapacitySerializer, request)
        services.appointment_slot_set_capacity(slot_id=slot.pk, actor=Actor.from_request(request), **data)
        return Response(AppointmentSlotSerializer(self.get_queryset().get(pk=slot.pk)).data)


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appointments of manual work orders: book, rebook, cancel."""

    serializer_class = AppointmentSerializer
    action_permissions = {"rebook": CHANGE, "cancel": CHANGE}

    def get_queryset(self):
        qs = Appointment.objects.select_related("slot", "work_order__item__service_order").order_by("-pk")
        if work_order := _text(self.request, "work_order"):
            pk = local_id(work_order)
            qs = qs.filter(work_order_id=pk) if pk is not None else qs.none()
        if state := _text(self.request, "status"):
            qs = qs.filter(status=state)
        return qs

    def _booked(self) -> Appointment:
        appointment = self.get_object()
        if appointment.status != Appointment.Status.BOOKED:
            raise ApplicationError(f"This appointment is {appointment.get_status_display().lower()}: only a booked "
                                   "one can be rebooked or cancelled.")
        return appointment

    def _out(self, appointment, code=status.HTTP_200_OK):
        return Response(AppointmentSerializer(self.get_queryset().get(pk=appointment.pk)).data, status=code)

    @extend_schema(parameters=[OpenApiParameter("work_order", int), OpenApiParameter("status", str)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        """Book the window the customer agreed to, in a slot of the work order's team."""
        data = _valid(BookSerializer, request)
        appointment = services.appointment_book(
            work_order_id=data["work_order"], slot_id=data["slot"], actor=Actor.from_request(request),
            window_start=data.get("window_start"), window_end=data.get("window_end"), note=data["note"])
        return self._out(appointment, status.HTTP_201_CREATED)

    @extend_schema(request=RebookSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def rebook(self, request, pk=None):
        """Move the appointment to another slot or window. Returns the new appointment."""
        appointment = self._booked()
        data = _valid(RebookSerializer, request)
        new = services.appointment_rebook(
            work_order_id=appointment.work_order_id, slot_id=data["slot"], reason=data["reason"],
            actor=Actor.from_request(request), window_start=data.get("window_start"),
            window_end=data.get("window_end"), note=data["note"])
        return self._out(new)

    @extend_schema(request=ReasonSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the appointment (its place in the slot is free again)."""
        appointment = self._booked()
        data = _valid(ReasonSerializer, request)
        services.appointment_cancel(work_order_id=appointment.work_order_id, reason=data["reason"],
                                    actor=Actor.from_request(request))
        return self._out(appointment)
