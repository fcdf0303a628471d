import json
import logging

from .errors import error_response

log = logging.getLogger(__name__)
TMF_PREFIX = "/tmf-api/"


class TmfErrorMiddleware:
    """Outside the views, keep the TMF contract: Django's own HTML 404/405/500 pages on TMF paths are
    replaced by the TMF Error body (oversized bodies: bss.api.middleware.ApiBodyLimitMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(TMF_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return error_response(response.status_code, _plain_message(response))
        if not response.has_header("Content-Type"):
            # DRF drops the header on empty bodies (204, HEAD); TMF clients expect it on every response.
            response["Content-Type"] = "application/json"
        return response

    def process_exception(self, request, exception):
        if request.path.startswith(TMF_PREFIX):
            log.exception("unhandled error on %s", request.path)
            return error_response(500, "Internal error; it has been logged")
        return None


def _plain_message(response) -> str:
    if response.status_code == 404:
        return "No such resource or path"
    if response.status_code == 405:
        return "Method not allowed on this resource"
    try:
        return json.loads(response.content).get("detail", "")
    except Exception:
        return response.reason_phrase
