from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from bss.auth import LoginForm
from bss.portal import portal_layout
from bss.roles import is_portal_user
from bss.tmf.errors import error_response

API_PREFIX = "/api/"
TMF_PREFIX = "/tmf-api/"


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("csr:dashboard" if is_portal_user(request.user) else "my:profile")


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm


class PortalUserPageMixin:
    """A page of bss itself for every portal user, staff or self-service, in that user's layout; an
    anonymous user is sent to sign in (the view's own login_required), anyone else gets the 403 page."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and portal_layout(request.user) is None:
            raise PermissionDenied("This page is for users of the staff portal or the self-service pages.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **layout_context(self.request)}


class PasswordChangeView(PortalUserPageMixin, auth_views.PasswordChangeView):
    """Django's: the old password is asked for, the new one checked by AUTH_PASSWORD_VALIDATORS, and the
    session stays signed in (update_session_auth_hash). Its own template names: the admin's password
    change uses registration/password_change_*.html, which a portal template there would replace."""

    template_name = "registration/change_password.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(PortalUserPageMixin, auth_views.PasswordChangeDoneView):
    template_name = "registration/password_changed.html"


# --- Error pages (handler403/handler404/handler500 in bss.urls) ------------------------------------
# HTML pages in the portal layout, with a plain reason, Back (to the referring page of this site) and Home.
# The APIs keep their own shapes: the native API's {"detail", "code"} under /api/, the TMF Error body under
# /tmf-api/ (errors raised inside DRF views never get here: bss.api.errors.exception_handler answers them).

def layout_context(request) -> dict:
    layout = portal_layout(request.user)
    return {"layout": layout or "base.html", "minimal_layout": layout is None}


def _back_url(request) -> str | None:
    """The Referer when it is a page of this site (and not the failing page itself), else None."""
    referer = request.headers.get("Referer", "")
    if not referer or referer == request.build_absolute_uri():
        return None
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    return referer


def _error_page(request, template: str, status: int, **context):
    context = {
        **layout_context(request),
        "back_url": _back_url(request),
        # A staff user who followed a self-service link: show the way to the staff portal.
        "staff_on_self_service": request.path.startswith("/my/") and is_portal_user(request.user),
        **context,
    }
    return render(request, template, context, status=status)


def permission_denied(request, exception=None):
    if request.path.startswith(TMF_PREFIX):
        return error_response(403, "You do not have permission to do this", code="forbidden")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "You do not have permission to perform this action.",
                             "code": "permission_denied"}, status=403)
    # Our own PermissionDenied messages are written for the user ("Your role does not allow this.").
    reason = str(exception) if exception is not None and exception.args else ""
    return _error_page(request, "403.html", 403, reason=reason or "You do not have permission to open this page.")


def page_not_found(request, exception=None):
    if request.path.startswith(TMF_PREFIX):
        return error_response(404, "No such resource or path")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
    # The exception's text is technical (the URL patterns tried, a model name): never shown.
    return _error_page(request, "404.html", 404)


def server_error(request):
    """No request context and no database: whatever failed may be exactly that."""
    if request.path.startswith(TMF_PREFIX):
        return error_response(500, "Internal error; it has been logged")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Internal error; it has been logged", "code": "server_error"}, status=500)
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:  # e.g. a static files manifest without the stylesheet: still a page, not a traceback
        return HttpResponseServerError("<!doctype html><title>Something went wrong · BSS</title>"
                                       "<h1>Something went wrong</h1><p>The error has been logged. "
                                       '<a href="/">Home</a></p>')
