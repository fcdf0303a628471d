from drf_spectacular.openapi import AutoSchema


class BssAutoSchema(AutoSchema):
    """OpenAPI components of TMF serializers are named TMF_<name>, so TMF629's Customer and the
    native API's Customer (and every nested shape) stay distinct components."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        module = type(serializer).__module__
        if (".tmf." in module or module.startswith("bss.tmf")) and not name.startswith("TMF_"):
            return f"TMF_{name}"
        return name

    def _map_basic_serializer(self, serializer, direction):
        """A serializer's ``response_optional`` attributes are required in requests only: the
        response schema must not promise what a response can lack."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "response_optional", ()))
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema
