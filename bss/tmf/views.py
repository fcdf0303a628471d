"""TmfViewSet: list/retrieve/create/patch/delete with the TMF behaviour in one place."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.exceptions import MethodNotAllowed, ParseError
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from bss.actors import Actor

from .filtering import comparable_or_none, parse_fields, parse_filters, representation_matches, select_fields
from .parsers import MergePatchJSONParser
from .renderers import TmfJSONRenderer

ALWAYS_READ_ONLY = {"id", "href"}


class TmfViewSet(viewsets.GenericViewSet):
    """Subclasses set ``queryset``, ``serializer_class`` (a TmfResourceSerializer) and may set:

    - ``db_filters``: {"attribute.path": "orm__lookup"} filters answered by the database;
      any other attribute is matched on the rendered representation (slower, but any path works);
    - ``read_only_on_create``: attributes a client may not send (400);
    - ``perform_create(data, actor)`` / ``perform_update(obj, data, actor)`` / ``perform_destroy``:
      call the app's services and return the model instance.
    """

    renderer_classes = [TmfJSONRenderer]
    parser_classes = [JSONParser, MergePatchJSONParser]
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    db_filters: dict[str, str] = {}
    read_only_on_create: set[str] = set()
    read_only_on_update: set[str] = set()
    ordering = ("-created_at", "-pk")

    # --- reading -----------------------------------------------------------------------
    def get_object(self):
        try:
            obj = self.get_queryset().get(pk=self.kwargs["pk"])
        except (self.get_queryset().model.DoesNotExist, ValueError, TypeError, DjangoValidationError):
            raise Http404(f"No {self.serializer_class.tmf_type} with id {self.kwargs['pk']}")
        self.check_object_permissions(self.request, obj)
        return obj

    def render(self, obj) -> dict:
        return self.get_serializer(obj).data

    def _page_bounds(self):
        params = self.request.query_params
        try:
            offset = int(params.get("offset", 0))
            limit = int(params.get("limit", settings.TMF_DEFAULT_PAGE_SIZE))
        except ValueError:
            raise ParseError("offset and limit must be integers")
        if offset < 0 or limit < 0:
            raise ParseError("offset and limit must not be negative")
        return offset, min(limit, settings.TMF_MAX_PAGE_SIZE)

    def list(self, request, *args, **kwargs):
        offset, limit = self._page_bounds()
        fields = parse_fields(request.query_params.get("fields"))
        qs = self.filter_queryset(self.get_queryset()).order_by(*self.ordering)
        python_filters = []
        for f in parse_filters(request.query_params):
            lookup = self.db_filters.get(f.path)
            if lookup is None:
                python_filters.append(f)
                continue
            if f.op == "eq":
                qs = qs.filter(**{lookup: f.value})
            else:
                value = comparable_or_none(f.value)
                if value is None:
                    raise ParseError(f"'{f.value}' is not a date, date-time or number for {f.path}.{f.op}")
                qs = qs.filter(**{f"{lookup}__{f.op}": value})
        if python_filters:
            rows = [d for d in (self.render(o) for o in qs.iterator(chunk_size=500))
                    if representation_matches(d, python_filters)]
            total, page = len(rows), rows[offset:offset + limit]
        else:
            total = qs.count()
            page = [self.render(o) for o in qs[offset:offset + limit]]
        data = [select_fields(d, fields) for d in page]
        return Response(data, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(data))})

    def retrieve(self, request, *args, **kwargs):
        data = self.render(self.get_object())
        return Response(select_fields(data, parse_fields(request.query_params.get("fields"))))

    # --- writing -----------------------------------------------------------------------
    def _validated(self, *, partial: bool, forbidden: set[str], instance=None) -> dict:
        body = self.request.data
        if not isinstance(body, dict):
            raise ParseError("The request body must be a JSON object")
        serializer = self.get_serializer(instance, data=body, partial=partial)
        known = set(serializer.fields)
        unknown = sorted(set(body) - known)
        errors = {}
        for name in unknown:
            errors[name] = ["Unknown attribute"]
        for name in sorted(set(body) & (forbidden | ALWAYS_READ_ONLY)):
            errors[name] = ["Read-only attribute; it may not be set by the client"]
        if errors:
            raise DrfValidationError(errors)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._validated(partial=False, forbidden=self.read_only_on_create)
        with transaction.atomic():
            obj = self.perform_create(data, Actor.from_request(request))
        body = self.render(obj)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body.get("href", "")})

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._validated(partial=True, forbidden=self.read_only_on_update, instance=obj)
        with transaction.atomic():
            obj = self.perform_update(obj, data, Actor.from_request(request))
        return Response(self.render(obj))

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        with transaction.atomic():
            self.perform_destroy(obj, Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Resources that do not support a write answer 405 with the TMF Error body.
    def perform_create(self, data: dict, actor: Actor):
        raise MethodNotAllowed(self.request.method)

    def perform_update(self, obj, data: dict, actor: Actor):
        raise MethodNotAllowed(self.request.method)

    def perform_destroy(self, obj, actor: Actor):
        raise MethodNotAllowed(self.request.method)
