"""Native API of the resource pools (eTOM 1.1.2.2.2): thin viewsets over service_activation.services, used by
order entry (a customer choosing a number) and by provisioning. Reads need view_resource / view_resourcepool;
reserve, confirm and release need change_resource; pool changes and loads need change_resourcepool."""

from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from bss.actors import Actor
from service_activation import services
from service_activation.models import Resource, ResourcePool

from . import serializers as s

RESOURCE_CHANGE = ["service_activation.view_resource", "service_activation.change_resource"]
POOL_LOAD = ["service_activation.view_resourcepool", "service_activation.change_resourcepool",
             "service_activation.add_resource"]


def _actor(request):
    return Actor.from_request(request)


def _valid(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class ResourcePoolViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resource pools: number ranges, SIM batches, IPv4 blocks, access-node ports and VLANs, each with its
    reservation period and quarantine, and how many of its resources are in each state."""

    serializer_class = s.ResourcePoolSerializer
    filterset_fields = ["kind", "code"]
    action_permissions = {name: POOL_LOAD for name in
                          ("load_numbers", "load_sims", "load_ipv4", "load_ports", "load_vlans")}

    def get_queryset(self):
        return ResourcePool.objects.annotate(**{
            f"n_{state}": Count("resources", filter=Q(resources__state=state)) for state in Resource.State.values
        }).order_by("kind", "code")

    @extend_schema(request=s.ResourcePoolSerializer, responses={201: s.ResourcePoolSerializer})
    def create(self, request):
        data = _valid(s.ResourcePoolSerializer, request)
        pool = services.resource_pool_create(actor=_actor(request), **data)
        return Response(s.ResourcePoolSerializer(self.get_queryset().get(pk=pool.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ResourcePoolUpdateSerializer, responses=s.ResourcePoolSerializer)
    def partial_update(self, request, pk=None):
        pool = self.get_object()
        data = s.ResourcePoolUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.resource_pool_update(pool=pool, actor=_actor(request), **data.validated_data)
        return Response(s.ResourcePoolSerializer(self.get_queryset().get(pk=pool.pk)).data)

    def _loaded(self, result):
        return Response(s.LoadResultSerializer(result.as_dict()).data)

    @extend_schema(request=s.NumberRangeSerializer, responses=s.LoadResultSerializer)
    @action(detail=True, methods=["post"], url_path="load-numbers")
    def load_numbers(self, request, pk=None):
        """Load a number range start..end (numbers already in the inventory are skipped).

        Returns: how many numbers were added, were already there, and are golden."""
        data = _valid(s.NumberRangeSerializer, request)
        return self._loaded(services.resource_load_number_range(pool=self.get_object(), actor=_actor(request),
                                                                **data))

    @extend_schema(request=s.SimFileSerializer, responses=s.LoadResultSerializer)
    @action(detail=True, methods=["post"], url_path="load-sims")
    def load_sims(self, request, pk=None):
        """Load a SIM vendor file (ICCID,IMSI[,PIN,PUK] lines; PIN and PUK are ignored).

        Returns: the SIMs added and already loaded, and each rejected line with its reason."""
        data = _valid(s.SimFileSerializer, request)
        upload = data.get("file")
        content = upload.read() if upload else data["content"]
        filename = data["filename"] or (upload.name if upload else "")
        return self._loaded(services.resource_load_sim_file(pool=self.get_object(), content=content,
                                                            filename=filename, reason=data["reason"],
                                                            actor=_actor(request)))

    @extend_schema(request=s.Ipv4BlockSerializer, responses=s.LoadResultSerializer)
    @action(detail=True, methods=["post"], url_path="load-ipv4")
    def load_ipv4(self, request, pk=None):
        """Load the host addresses of an IPv4 block.

        Returns: how many addresses were added and were already there."""
        data = _valid(s.Ipv4BlockSerializer, request)
        return self._loaded(services.resource_load_ipv4(pool=self.get_object(), actor=_actor(request), **data))

    @extend_schema(request=s.PortsSerializer, responses=s.LoadResultSerializer)
    @action(detail=True, methods=["post"], url_path="load-ports")
    def load_ports(self, request, pk=None):
        """Load the ports of the pool's access node (<node>/<slot>/<port>).

        Returns: how many ports were added and were already there."""
        data = _valid(s.PortsSerializer, request)
        return self._loaded(services.resource_load_ports(pool=self.get_object(), actor=_actor(request), **data))

    @extend_schema(request=s.VlanRangeSerializer, responses=s.LoadResultSerializer)
    @action(detail=True, methods=["post"], url_path="load-vlans")
    def load_vlans(self, request, pk=None):
        """Load VLAN ids start..end of the pool's access node.

        Returns: how many VLANs were added and were already there."""
        data = _valid(s.VlanRangeSerializer, request)
        return self._loaded(services.resource_load_vlans(pool=self.get_object(), actor=_actor(request), **data))


@extend_schema(parameters=[
    OpenApiParameter("pool", str, description="a pool's id or code"),
    OpenApiParameter("kind", str, description="msisdn, sim, ipv4, port or vlan"),
    OpenApiParameter("category", str, description="golden or regular"),
    OpenApiParameter("state", str, description="free (available: also lapsed reservations and ended quarantines), "
                                               "reserved, allocated or quarantined"),
    OpenApiParameter("contains", str, description="a part of the value, e.g. 777 (spaces ignored for numbers)"),
    OpenApiParameter("pattern", str, description="the whole value with * and ? wildcards, e.g. 087100*77"),
    OpenApiParameter("holder", str, description="what holds it, e.g. order:CO0000001"),
])
class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resources of the pools: numbers, SIMs, addresses, ports and VLANs, with their state (free, reserved,
    allocated, quarantined) and what holds them; reserve, confirm and release them."""

    serializer_class = s.ResourceSerializer
    action_permissions = {"reserve": RESOURCE_CHANGE, "confirm": RESOURCE_CHANGE, "release": RESOURCE_CHANGE}

    def get_queryset(self):
        if self.action != "list":
            return Resource.objects.select_related("pool").order_by("id")
        params = self.request.query_params
        if any("\x00" in v for v in params.values()):
            return Resource.objects.none()  # no stored text holds NUL (PostgreSQL cannot even compare it)
        pool = None
        if params.get("pool"):
            try:
                pool = s.PoolField().to_internal_value(params["pool"])
            except ValidationError:
                return Resource.objects.none()
        return services.resource_queryset(
            pool=pool, kind=params.get("kind") or None, category=params.get("category") or None,
            contains=params.get("contains", ""), pattern=params.get("pattern", ""),
            state=params.get("state") or None, holder=params.get("holder", ""))

    def _out(self, resource, code=status.HTTP_200_OK):
        resource = Resource.objects.select_related("pool").get(pk=resource.pk)
        return Response(s.ResourceSerializer(resource, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.ReserveSerializer, responses={201: s.ResourceSerializer})
    @action(detail=False, methods=["post"])
    def reserve(self, request):
        """Reserve a chosen value (the number a customer picked) or the next free resource of a pool or kind, for a
        holder and a period; 409 when nothing is free or the chosen value is taken.

        Returns: the reserved resource, with its holder and reserved_until."""
        data = _valid(s.ReserveSerializer, request)
        resource = services.resource_reserve(
            pool=data.get("pool"), kind=data.get("kind"), value=data["value"] or None,
            category=data["category"] or None, holder=data["holder"], minutes=data["minutes"],
            reason=data["reason"], actor=_actor(request))
        return self._out(resource, status.HTTP_201_CREATED)

    @extend_schema(request=s.HolderSerializer, responses=s.ResourceSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The holder's reservation becomes an allocation (a confirmed order); 409 when it is not theirs or lapsed.

        Returns: the allocated resource."""
        resource = self.get_object()
        data = _valid(s.HolderSerializer, request)
        return self._out(services.resource_confirm(resource_id=resource.pk, actor=_actor(request), **data))

    @extend_schema(request=s.HolderSerializer, responses=s.ResourceSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give a resource back: a reservation is free at once, an allocation rests in quarantine.

        Returns: the released resource (free, or quarantined with quarantined_until)."""
        resource = self.get_object()
        data = _valid(s.HolderSerializer, request)
        return self._out(services.resource_release(resource_id=resource.pk, actor=_actor(request), **data))


WORK_ORDER_CHANGE = ["service_activation.view_workorder", "service_activation.change_workorder"]


class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders: the steps of service orders by specialty (team worklists, partner requisitions).
    ``report``: a partner's (or a team system's) callback that a step is done or failed (needs
    change_workorder); a repeated report of the same outcome changes nothing."""

    serializer_class = s.WorkOrderSerializer
    filterset_fields = ["specialty", "status", "kind", "manual"]
    action_permissions = {"report": WORK_ORDER_CHANGE}

    def get_queryset(self):
        from service_activation.models import WorkOrder

        return WorkOrder.objects.select_related("item__service_order").order_by("-pk")

    @extend_schema(request=s.WorkOrderReportSerializer, responses=s.WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """Report a step done or failed. Returns: the work order."""
        wo = self.get_object()
        data = _valid(s.WorkOrderReportSerializer, request)
        wo = services.work_order_report(work_order_id=wo.pk, actor=_actor(request), **data)
        return Response(s.WorkOrderSerializer(self.get_queryset().get(pk=wo.pk)).data)


class ProvisioningReportView(viewsets.ViewSet):
    """Provisioning reports (eTOM 1.1.2.2.8): throughput (service orders finished per UTC day), fallout rate by step
    and by adapter, cycle time percentiles per service specification; the same figures as the portal's reports
    page. ``?since=&until=`` (ISO dates or date-times; default the last 30 days, at most 366 days),
    ``?export=csv`` for a CSV file. Needs service_activation.view_serviceorder."""

    action_permissions = {"list": ["service_activation.view_serviceorder"]}

    @extend_schema(parameters=[OpenApiParameter("since", str), OpenApiParameter("until", str),
                               OpenApiParameter("export", str, enum=["csv"])], responses={200: dict})
    def list(self, request):
        from django.http import HttpResponse
        from django.utils.dateparse import parse_date, parse_datetime

        from service_activation.services.reports import provisioning_report, provisioning_report_csv

        def when(name):
            raw = (request.query_params.get(name) or "").strip()
            if not raw:
                return None
            try:
                if "T" in raw:
                    value = parse_datetime(raw)
                else:
                    day = parse_date(raw)
                    value = parse_datetime(f"{day.isoformat()}T00:00:00+00:00") if day else None
            except ValueError:
                value = None
            if value is None or value.tzinfo is None:
                raise ValidationError({name: ["An ISO date (2026-12-01) or a date-time with its offset."]})
            return value

        report = provisioning_report(since=when("since"), until=when("until"))
        if request.query_params.get("export") == "csv":
            response = HttpResponse(provisioning_report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="provisioning-report.csv"'
            return response
        return Response(report.as_dict())
