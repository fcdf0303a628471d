"""Native REST (/api/v1/) shapes of the resource pools. Output = the model; input serializers only validate and
hand plain data to service_activation.services."""

from django.db.models import Count
from django.utils import timezone
from rest_framework import serializers

from service_activation.models import Resource, ResourceKind, ResourcePool, WorkOrder


class ResourcePoolSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField(help_text="resources per state, e.g. {\"free\": 1990, \"reserved\": 10}")

    class Meta:
        model = ResourcePool
        fields = ["id", "kind", "code", "name", "description", "reservation_minutes", "quarantine_days",
                  "golden_pattern", "access_node", "counts", "created_at", "updated_at"]
        read_only_fields = ["id", "counts", "created_at", "updated_at"]

    def get_counts(self, pool) -> dict[str, int]:
        if hasattr(pool, "n_free"):  # annotated by the view's queryset (no query per pool)
            return {s: getattr(pool, f"n_{s}") for s in Resource.State.values}
        counts = dict.fromkeys(Resource.State.values, 0)
        for row in pool.resources.values("state").order_by().annotate(n=Count("id")):
            counts[row["state"]] = row["n"]
        return counts


class ResourcePoolUpdateSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    class Meta:
        model = ResourcePool
        fields = ["name", "description", "reservation_minutes", "quarantine_days", "golden_pattern",
                  "access_node", "reason"]
        extra_kwargs = {f: {"required": False} for f in fields}


class ResourceSerializer(serializers.ModelSerializer):
    pool_code = serializers.CharField(source="pool.code", read_only=True)
    available = serializers.SerializerMethodField(
        help_text="free, or a reservation whose period ended, or a quarantine that ended: it can be reserved")

    class Meta:
        model = Resource
        fields = ["id", "pool", "pool_code", "kind", "value", "category", "iccid", "imsi", "state", "available",
                  "holder", "reserved_until", "allocated_at", "quarantined_until", "attributes", "updated_at"]
        read_only_fields = fields

    def get_available(self, resource) -> bool:
        now = self.context.get("now") or timezone.now()
        return (resource.state == Resource.State.FREE
                or (resource.state == Resource.State.RESERVED and resource.reserved_until <= now)
                or (resource.state == Resource.State.QUARANTINED and resource.quarantined_until <= now))


class PoolField(serializers.Field):
    """A pool by id or by code."""

    default_error_messages = {"missing": "No resource pool {value}."}

    def to_internal_value(self, data):
        value = str(data).strip()
        pool = None
        if value.isascii() and value.isdigit() and len(value) < 18:
            pool = ResourcePool.objects.filter(pk=int(value)).first()
        if pool is None and "\x00" not in value and len(value) <= 60:
            pool = ResourcePool.objects.filter(code=value).first()
        if pool is None:
            self.fail("missing", value=value)
        return pool

    def to_representation(self, value):
        return value.code


class ReserveSerializer(serializers.Serializer):
    pool = PoolField(required=False, help_text="the pool, by id or code (or give kind)")
    kind = serializers.ChoiceField(choices=ResourceKind.choices, required=False,
                                   help_text="any pool of this kind, when no pool is given")
    value = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                  help_text="a chosen value, e.g. the number a customer picked; blank: the next free")
    category = serializers.ChoiceField(choices=Resource.Category.choices, required=False, allow_blank=True,
                                       default="", help_text="next free only: golden or regular (default regular)")
    holder = serializers.CharField(max_length=100, help_text="what holds it, e.g. serviceOrderItem:12 or order:CO0000001")
    minutes = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                       help_text="how long the reservation holds (default: the pool's period)")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs.get("pool") is None and not attrs.get("kind"):
            raise serializers.ValidationError({"pool": ["Give a pool or a kind."]})
        return attrs


class HolderSerializer(serializers.Serializer):
    holder = serializers.CharField(max_length=100, help_text="the reference that holds the resource")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NumberRangeSerializer(serializers.Serializer):
    start = serializers.CharField(max_length=20, help_text="first number, e.g. 0871000000")
    end = serializers.CharField(max_length=20, help_text="last number (inclusive), same number of digits")
    golden = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list,
                                   help_text="numbers set golden on load, whatever the pool's rule says")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SimFileSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="the vendor file (multipart), ICCID,IMSI[,PIN,PUK] lines")
    content = serializers.CharField(required=False, allow_blank=False, trim_whitespace=False,
                                    help_text="or the file's text (JSON)")
    filename = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("content"):
            raise serializers.ValidationError({"file": ["Send the file, or its text as content."]})
        return attrs


class Ipv4BlockSerializer(serializers.Serializer):
    cidr = serializers.CharField(max_length=40, help_text="e.g. 198.51.100.0/24")
    exclude = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list,
                                    help_text="addresses left out, e.g. the gateway")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PortsSerializer(serializers.Serializer):
    ports_per_slot = serializers.IntegerField(min_value=1)
    slots = serializers.IntegerField(min_value=1, required=False, default=1)
    first_slot = serializers.IntegerField(min_value=0, required=False, default=1)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VlanRangeSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=1, max_value=4094)
    end = serializers.IntegerField(min_value=1, max_value=4094)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LoadResultSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    already_loaded = serializers.IntegerField(help_text="already in the inventory: a replayed load adds nothing")
    golden = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejects = serializers.ListField(child=serializers.DictField(), help_text='[{"line", "text", "reason"}]')


class WorkOrderSerializer(serializers.ModelSerializer):
    service_order = serializers.CharField(source="item.service_order.order_number", read_only=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "service_order", "kind", "code", "name", "manual", "specialty", "status", "attempts",
                  "last_error", "result", "appointment_start", "appointment_end", "started_at", "done_at"]
        read_only_fields = fields


class WorkOrderReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["done", "failed"])
    detail = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
