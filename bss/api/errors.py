"""One exception handler for both API families: TMF Error body under /tmf-api/, DRF shape elsewhere."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from bss.errors import ApplicationError, DomainValidationError
from bss.tmf.errors import error_body, flatten_errors

log = logging.getLogger(__name__)


def _flatten(detail, prefix="") -> list[str]:
    """Every field problem, one "attribute.path: message" each (see bss.tmf.errors.flatten_errors)."""
    return [f"{path}: {message}" if path else message
            for path, messages in flatten_errors(detail, prefix).items() for message in messages]


def exception_handler(exc, context):
    request = context.get("request")
    tmf = request is not None and request.path.startswith("/tmf-api/")

    if isinstance(exc, DomainValidationError):
        exc = exceptions.ValidationError(exc.field_errors)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    if isinstance(exc, ApplicationError):
        if tmf:
            body = error_body(exc.status_code, exc.message, code=exc.code)
        else:
            body = {"detail": exc.message, "code": exc.code, **({"extra": exc.extra} if exc.extra else {})}
        return Response(body, status=exc.status_code)

    response = drf_exception_handler(exc, context)
    if response is None:
        if not tmf:
            return None
        log.exception("unhandled API error", exc_info=exc)
        return Response(error_body(500, "Internal error; it has been logged"), status=500)
    if tmf:
        if isinstance(exc, exceptions.ValidationError):
            message = "; ".join(_flatten(exc.detail))
            code = "invalid"
        elif isinstance(exc, (Http404, exceptions.NotFound)):
            message, code = str(getattr(exc, "detail", exc)) or "Not found", "not_found"
        elif isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
            message, code = "You do not have permission to do this", "forbidden"
        else:
            message = str(getattr(exc, "detail", exc))
            code = getattr(getattr(exc, "detail", None), "code", None) or str(response.status_code)
        response.data = error_body(response.status_code, message, code=str(code))
    return response
