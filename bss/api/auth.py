"""POST /api/v1/auth/token/: integrators exchange username + password for their token.

Failures count towards the same django-axes lockout as the portal and admin sign-in; a locked-out
client (username+IP pair, or the whole IP after too many failures across usernames) gets 429 with
a Retry-After header, never the 400 of a wrong password.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bss.auth import username_max_length
from bss.tmf.parsers import FormParser, JSONParser, MultiPartParser


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=username_max_length(), trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, write_only=True,
                                     style={"input_type": "password"})


class LockedOut(exceptions.Throttled):
    default_detail = "Too many failed sign-in attempts from this client; try again later."
    default_code = "locked_out"


def _locked_out(request) -> LockedOut:
    cool_off = get_cool_off(request)
    return LockedOut(wait=cool_off.total_seconds() if cool_off else None)


class ObtainTokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Malformed request or wrong credentials"),
            429: OpenApiResponse(description="Locked out after too many failed attempts"),
        },
        auth=[],
    )
    def post(self, request):
        """Exchange a username and password for an API token (send it as ``Authorization: Token <key>``).
        Failed attempts are throttled like portal logins (django-axes)."""
        s = TokenRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        credentials = {"username": s.validated_data["username"], "password": s.validated_data["password"]}
        AxesProxyHandler.update_request(request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            raise _locked_out(request)
        user = authenticate(request=request, **credentials)
        if user is None:
            if getattr(request, "axes_locked_out", False):  # this failure reached the limit
                raise _locked_out(request)
            raise exceptions.ValidationError({"non_field_errors": ["Unable to log in with provided credentials."]},
                                             code="authorization")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


obtain_token = ObtainTokenView.as_view()
