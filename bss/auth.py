"""Sign-in doors (portal, admin, token endpoint) and the failed-login lockout behind them.

- A username longer than the user model allows is a form error (400 on the token endpoint), never
  an authentication attempt: django-axes would store it in a 255-character column.
- django-axes locks a username+IP pair after AXES_FAILURE_LIMIT failures, and (BssAxesHandler) an
  IP address after BSS_AXES_IP_FAILURE_LIMIT failures across any usernames (password spraying).
  A success resets only its own username+IP pair, so one account an attacker owns cannot clear
  the count of the IP.
- API-only roles (bss.roles.Role.API_ONLY, the Integrator) get no portal session: the portal form refuses
  them after a correct password, which is no failed attempt (no lockout), with a pointer to the token.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Sum

from bss.roles import is_api_only_user

AXES_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def username_max_length() -> int:
    user_model = get_user_model()
    return user_model._meta.get_field(user_model.USERNAME_FIELD).max_length or 254


class _BoundedUsername:
    """Django's AuthenticationForm sets max_length on the username field after construction, so no
    validator enforces it and an over-long name reaches authenticate(); add the validator."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.max_length = username_max_length()
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean(self):
        if self.errors:  # a malformed username or password is not an attempt to sign in
            return self.cleaned_data
        return super().clean()


API_ONLY_MESSAGE = "This login is for the API: get a token at /api/v1/auth/token/"


class LoginForm(_BoundedUsername, AuthenticationForm):
    password = forms.CharField(label="Password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def confirm_login_allowed(self, user):
        """Called after authenticate() succeeded: the password was right, so this is no failed sign-in for
        django-axes (no user_login_failed signal), only a door that is not this user's."""
        super().confirm_login_allowed(user)
        if is_api_only_user(user):
            raise forms.ValidationError(API_ONLY_MESSAGE, code="api_only")


class AdminLoginForm(_BoundedUsername, AdminAuthenticationForm):
    password = forms.CharField(label="Password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the submitted username, cut to what the lockout table can store
    (a door that forgets to bound it still cannot make the lockout itself fail)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if isinstance(username, str):
        return username[:AXES_USERNAME_LENGTH]
    return username


class BssAxesHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler with a second, higher limit per IP address across all usernames."""

    def get_failures(self, request, credentials=None) -> int:
        pair_failures = super().get_failures(request, credentials)
        ip_limit = getattr(settings, "BSS_AXES_IP_FAILURE_LIMIT", None)
        if not ip_limit:
            return pair_failures
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        ip_failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
        if ip_failures >= ip_limit:
            # Axes compares one number with AXES_FAILURE_LIMIT: a locked IP counts as at that limit.
            return max(pair_failures, get_failure_limit(request, credentials))
        return pair_failures
