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
