"""The TMF Error body: {code, reason, message, status, @type: Error}."""

from django.http import JsonResponse

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def error_body(status: int, message: str, *, code: str | None = None, reason: str | None = None, **extra) -> dict:
    body = {
        "code": code or str(status),
        "reason": reason or REASONS.get(status, "Error"),
        "message": message,
        "status": str(status),
        "@type": "Error",
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def error_response(status: int, message: str, **kw) -> JsonResponse:
    return JsonResponse(error_body(status, message, **kw), status=status)


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {TMF attribute path: [messages]}:
    {"contactMedium": [{}, {"characteristic": {"emailAddress": ["..."]}}]}
    -> {"contactMedium[1].characteristic.emailAddress": ["..."]}. An object-level error of a
    nested attribute (non_field_errors) still names that attribute."""
    out: dict[str, list[str]] = {}

    def walk(value, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, where if key == "non_field_errors" else (f"{where}.{key}" if where else str(key)))
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{where}[{i}]" if isinstance(inner, (dict, list)) else where)
        else:
            out.setdefault(where, []).append(str(value))

    walk(detail, prefix)
    return out
