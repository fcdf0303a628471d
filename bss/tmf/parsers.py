from rest_framework.parsers import JSONParser


class MergePatchJSONParser(JSONParser):
    """PATCH bodies as TMF specifies them (RFC 7386 JSON merge patch)."""

    media_type = "application/merge-patch+json"
