"""Portal helpers shared by every app's staff (/csr/) and self-service (/my/) views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from bss.errors import DomainValidationError
from bss.roles import is_portal_user, is_self_service_user


def staff_required(view=None, *, perm: str | tuple[str, ...] | None = None):
    """Staff portal only (a portal role, bss.roles.is_portal_user: an API-only Integrator is refused); with
    perm=, the user's role must also grant that permission (or all of them). A refusal is the styled 403
    page (bss.views.permission_denied), which shows the message.

        @staff_required                                  # any portal role
        @staff_required(perm="customers.add_customer")   # and this permission
    """
    perms = (perm,) if isinstance(perm, str) else tuple(perm or ())

    def decorate(fn):
        @login_required
        @wraps(fn)
        def wrapper(request, *args, **kwargs):
            if not is_portal_user(request.user):
                raise PermissionDenied("This page is for back-office staff.")
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied("Your role does not allow this.")
            return fn(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def portal_layout(user) -> str | None:
    """The layout a page for this user extends: the staff portal's, the self-service one, or None for
    anyone else (anonymous, an API-only login): the pages then show a minimal header."""
    if is_portal_user(user):
        return "base.html"
    if is_self_service_user(user):
        return "base_my.html"
    return None


def add_service_errors(form, error: DomainValidationError, prefix: str = "", rename: dict | None = None) -> None:
    """Show a service's field errors on the form fields they belong to, or else on the form.

    ``prefix``: the part of the service's paths to drop ("contact." for the contact part of an
    onboarding). ``rename``: service paths the form names otherwise, e.g. ``{"media[0].value": "mobile"}``
    (ContactForm.service_names()). An error that names no field of the form goes to the form's
    non-field errors in plain words: never a raw path like ``media[0].value: ...``; a message that
    names nothing ("This field is required.") gets the field's name in words ("Bill cycle: ...")."""
    import re

    generic = ("This field is required.", "This field may not be blank.", "This field may not be null.")

    def plain(path: str, message: str) -> str:
        words = re.sub(r"\[\d+\]", "", path.rsplit(".", 1)[-1]).replace("_", " ").strip()
        if message not in generic or not words:
            return message
        return f"{words.capitalize()}: {message[0].lower()}{message[1:]}"

    rename = rename or {}
    for path, messages in error.field_errors.items():
        name = path.removeprefix(prefix) if prefix else path
        name = rename.get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message if target else plain(name, message))


def render_page_or_fragment(request, page_template: str, fragment_template: str, context: dict):
    """One URL, two representations: the HTMX fragment (``fragment_template``) when HTMX asks for
    it to swap into the page, else the whole page. A history restore (Back after HTMX pushed the URL)
    wants the whole page, and ``Vary: HX-Request`` keeps the browser's cache from handing the
    fragment back for the page (or the page for the fragment). Every live list uses this."""
    from django.shortcuts import render
    from django.utils.cache import patch_cache_control, patch_vary_headers

    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request
    response = render(request, fragment_template if fragment else page_template, context)
    patch_vary_headers(response, ("HX-Request",))
    if fragment:
        patch_cache_control(response, no_store=True)  # a fragment is never a page to come back to
    return response
