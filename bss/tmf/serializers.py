"""Base serializer for TMF resources: string id, absolute href, @type/@baseType/@schemaLocation,
UTC 'Z' timestamps, null attributes omitted."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from .renderers import tmf_datetime
from .spec import TmfSpec

META_FIELDS = ("@type", "@baseType", "@schemaLocation")


def absolute_url(path: str, request=None) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.BSS_BASE_URL + path


class TmfDateTimeField(serializers.DateTimeField):
    def to_representation(self, value):
        return tmf_datetime(value)


class TimePeriodSerializer(serializers.Serializer):
    startDateTime = TmfDateTimeField(required=False, allow_null=True)
    endDateTime = TmfDateTimeField(required=False, allow_null=True)


class RelatedRefSerializer(serializers.Serializer):
    """RelatedParty / EntityRef: a reference, local or external."""

    id = serializers.CharField(max_length=64)
    href = serializers.CharField(required=False, allow_blank=True, max_length=500)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    role = serializers.CharField(required=False, allow_blank=True, max_length=100)
    referredType = serializers.CharField(source="@referredType", required=False, max_length=100)

    def get_fields(self):
        fields = super().get_fields()
        fields["@referredType"] = fields.pop("referredType")
        fields["@referredType"].source = None
        for name in META_FIELDS:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=200)
        return fields

    def to_internal_value(self, data):
        # Validated like any nested object (mandatory id / @referredType, types); attributes
        # outside the reference's schema are dropped. The reference is then kept as sent.
        return dict(super().to_internal_value(data))


class TmfResourceSerializer(serializers.Serializer):
    """Subclasses declare the spec's attributes; Meta-like class attributes say the rest:

    tmf_type: the @type value; url_name: the namespaced detail URL name for href.
    """

    tmf_type: str = ""
    tmf_base_type: str | None = None
    url_name: str = ""
    # The official spec and resource this serializer speaks (bss.tmf.spec): request bodies are
    # validated against its <resource>_Create / <resource>_Update definitions.
    tmf_spec: TmfSpec | None = None
    # Spec attributes we accept and return unchanged without modelling them (kept in tmf_extra).
    # With a tmf_spec, every attribute of the spec that the serializer does not declare is one.
    passthrough: tuple[str, ...] = ()

    @classmethod
    def passthrough_names(cls) -> frozenset[str]:
        names = set(cls.passthrough)
        if cls.tmf_spec is not None:
            names |= cls.tmf_spec.attributes(update=False) | cls.tmf_spec.attributes(update=True)
        return frozenset(names - set(cls._declared_fields) - set(META_FIELDS) - {"id", "href"})

    @classmethod
    def extension_names(cls) -> frozenset[str]:
        """Attributes we document beyond the spec (TMF630 extension pattern): declared, not in the spec."""
        spec = cls.tmf_spec.attributes() | cls.tmf_spec.attributes(update=True) if cls.tmf_spec else set()
        return frozenset(set(cls._declared_fields) - spec)

    def get_fields(self):
        fields = super().get_fields()
        for name in META_FIELDS:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=200, write_only=True)
        for name in self.passthrough_names():
            fields[name] = serializers.JSONField(required=False, write_only=True)
        return fields

    @classmethod
    def split_passthrough(cls, data: dict) -> tuple[dict, dict]:
        names = cls.passthrough_names()
        extra = {k: data.pop(k) for k in list(data) if k in names}
        for k in META_FIELDS:
            data.pop(k, None)
        return data, extra

    def represent(self, instance) -> dict:
        """The resource's attributes (without id/href/@type); subclasses build it from the model."""
        return super().to_representation(instance)

    def get_href(self, obj) -> str | None:
        try:
            path = reverse(self.url_name, kwargs={"pk": obj.pk})
        except NoReverseMatch:
            return None
        return absolute_url(path, self.context.get("request"))

    def to_representation(self, instance):
        data = {"id": str(instance.pk), "href": self.get_href(instance)}
        data.update(self.represent(instance))
        for key, value in (getattr(instance, "tmf_extra", None) or {}).items():
            if data.get(key) is None:  # kept as sent where we model nothing for it
                data[key] = value
        data["@type"] = self.tmf_type
        if self.tmf_base_type:
            data["@baseType"] = self.tmf_base_type
        return {k: v for k, v in data.items() if v is not None}
