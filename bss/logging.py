"""Logging filters for the settings' LOGGING."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """django.request logs a 403 (PermissionDenied) or 404 with the exception attached, so the
    console shows a traceback for every refused page. A client error is not a fault of ours: keep
    the one line ("Forbidden (Permission denied): /csr/…"), drop the traceback. 5xx are untouched."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.") and status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
