"""Portal helpers shared by every app's staff (/csr/) and self-service (/my/) views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from bss.errors import DomainValidationError
from bss.roles import is_staff_user


def staff_required(view=None, *, perm: str | tuple[str, ...] | None = None):
    """Staff only; with perm=, the user's role must also grant that permission (or all of them).

        @staff_required                                  # any staff role
        @staff_required(perm="customers.add_customer")   # and this permission
    """
    perms = (perm,) if isinstance(perm, str) else tuple(perm or ())

    def decorate(fn):
        @login_required
        @wraps(fn)
        def wrapper(request, *args, **kwargs):
            if not is_staff_user(request.user):
                raise PermissionDenied("Staff only")
            if perms and not request.user.has_perms(perms):
                raise PermissionDenied("Your role does not allow this")
            return fn(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def add_service_errors(form, error: DomainValidationError, prefix: str = "") -> None:
    """Show a service's field errors on the form fields they belong to (or on the form)."""
    for field, messages in error.field_errors.items():
        name = field.removeprefix(prefix) if prefix else field
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message if target else f"{field}: {message}")
