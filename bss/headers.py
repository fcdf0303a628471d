"""Content-Security-Policy and Permissions-Policy on every response.

Everything the portal, self-service pages and admin load is served from 'self' (HTMX is vendored under
bss/static/vendor; no inline scripts, styles or event handlers in the templates: bss/static/js and
bss/static/css hold them). The interactive API docs (/api/docs/) may also load Swagger UI from the
origin SPECTACULAR_SETTINGS["SWAGGER_UI_DIST"] names when that is an absolute URL (drf-spectacular's
CDN default); with drf-spectacular-sidecar it is 'self' like the rest.
"""

from urllib.parse import urlparse

from django.conf import settings

DEFAULT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
DEFAULT_PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                              "microphone=(), payment=(), usb=()")
DOCS_PREFIX = "/api/docs/"


def _swagger_origin() -> str | None:
    dist = getattr(settings, "SPECTACULAR_SETTINGS", {}).get("SWAGGER_UI_DIST")
    if dist is None:
        from drf_spectacular.settings import spectacular_settings

        dist = spectacular_settings.SWAGGER_UI_DIST
    parsed = urlparse(str(dist))
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return f"{parsed.scheme}://{parsed.netloc}"
    return None  # "SIDECAR" or a path: served from 'self'


def content_security_policy(path: str) -> str:
    directives = {k: list(v) for k, v in getattr(settings, "BSS_CONTENT_SECURITY_POLICY", DEFAULT_CSP).items()}
    if path.startswith(DOCS_PREFIX):
        origin = _swagger_origin()
        if origin:
            for name in ("script-src", "style-src", "img-src", "font-src"):
                directives.setdefault(name, ["'self'"]).append(origin)
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request.path)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = getattr(settings, "BSS_PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        return response
