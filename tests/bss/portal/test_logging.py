"""A refused page is one log line, not a traceback (the embedded run's console stays readable)."""

import copy
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.log import log_response

from bss.logging import ClientErrorsWithoutTraceback


def _record(status: int) -> logging.LogRecord:
    captured = []

    class Keep(logging.Handler):
        def emit(self, record):  # a copy: the console handler's filter changes the record itself
            captured.append(copy.copy(record))

    logger = logging.getLogger("django.request")
    handler = Keep()
    logger.addHandler(handler)
    try:
        try:
            raise PermissionDenied("no")
        except PermissionDenied:
            import sys

            from django.http import HttpResponse

            log_response("Forbidden: %s", "/csr/", response=HttpResponse(status=status), exception=sys.exc_info())
    finally:
        logger.removeHandler(handler)
    return captured[-1]


@pytest.mark.parametrize("status, keeps_traceback", [(403, False), (404, False), (500, True)])
def test_client_errors_lose_their_traceback_server_errors_keep_it(status, keeps_traceback):
    record = _record(status)
    assert record.exc_info  # what Django attaches
    assert ClientErrorsWithoutTraceback().filter(record) is True
    assert bool(record.exc_info) is keeps_traceback


def test_the_console_handler_uses_the_filter(settings):
    assert "client_errors_without_traceback" in settings.LOGGING["handlers"]["console"]["filters"]
