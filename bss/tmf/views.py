"""TmfViewSet: list/retrieve/create/patch/delete with the TMF behaviour in one place."""

from __future__ import annotations

import operator
import re
from datetime import UTC, datetime, timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils.dateparse import parse_datetime
from rest_framework import status, viewsets
from rest_framework.exceptions import MethodNotAllowed, ParseError
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response

from bss.actors import Actor
from bss.errors import DomainValidationError

from .errors import flatten_errors
from .filtering import comparable_or_none, parse_fields, parse_filters, representation_matches, select_fields
from .parsers import JSONParser, MergePatchJSONParser  # JSON depth and media type checked there
from .renderers import TmfJSONRenderer

ALWAYS_READ_ONLY = {"id", "href"}
# Model field names every resource shares, as TMF names them in error paths.
COMMON_ERROR_NAMES = {"valid_from": "validFor.startDateTime", "valid_to": "validFor.endDateTime",
                      "lifecycle_status": "lifecycleStatus", "status_reason": "statusReason"}
MILLISECOND = timedelta(milliseconds=1)
INTEGER_FORM = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
ERROR_KEY_PART = re.compile(r"(.*?)((?:\[\d+\])*)", re.DOTALL)


def _model_field(model, lookup: str):
    """The model field an ORM lookup path ends on (a foreign key: the field it points at)."""
    field = None
    for part in lookup.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    if field is not None and field.is_relation:
        return field.target_field if field.concrete and (field.many_to_one or field.one_to_one) else None
    return field


def _orderable(field) -> bool:
    """Columns whose database ordering is the matcher's ordering (numbers, date-times)."""
    return isinstance(field, models.IntegerField | models.DecimalField | models.FloatField | models.DateTimeField)


def _utc(moment: datetime) -> datetime:
    """An aware moment in UTC; a moment outside the representable range is clamped to its edge
    (9999-12-31T23:00:00-02:00 is after every date-time a column can hold)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.max if moment.year == datetime.max.year else datetime.min
        return edge.replace(tzinfo=UTC)


def _plus_ms(moment: datetime) -> datetime | None:
    """One millisecond later, or None past the last representable moment."""
    try:
        return moment + MILLISECOND
    except OverflowError:
        return None


def _datetime_condition(lookup: str, op: str, bound: datetime) -> Q | None:
    """A comparison on a date-time column as the client sees it: rendered with millisecond
    precision. None when nothing can match; bounds at the end of time never overflow."""
    bound = _utc(bound)
    floor = bound.replace(microsecond=bound.microsecond // 1000 * 1000)
    after = _plus_ms(floor)  # the first rendered value greater than the bound
    ceil = floor if floor == bound else after  # the first rendered value at or above the bound
    everything = Q(**{f"{lookup}__isnull": False})
    if op == "eq":
        if floor != bound:
            return None
        return Q(**{f"{lookup}__gte": floor}) & (Q(**{f"{lookup}__lt": after}) if after else everything)
    if op == "gt":
        return Q(**{f"{lookup}__gte": after}) if after else None
    if op == "gte":
        return Q(**{f"{lookup}__gte": ceil}) if ceil else None
    if op == "lt":
        return Q(**{f"{lookup}__lt": ceil}) if ceil else everything
    return Q(**{f"{lookup}__lt": after}) if after else everything  # lte


def _db_condition(qs, lookup: str, op: str, value: str) -> Q | None:
    """One attribute filter as a database condition with the semantics of the Python matcher
    (bss.tmf.filtering); None when nothing can match. ``eq`` is an exact match on the
    attribute's string form, so a value the column cannot hold matches nothing (never an
    error); date-times are rendered with millisecond precision and compared as the client
    sees them."""
    if "\x00" in value:
        return None  # no stored text holds NUL (writes refuse it; PostgreSQL cannot even compare it)
    field = _model_field(qs.model, lookup)
    if op != "eq":
        bound = comparable_or_none(value)
        if bound is None or not _orderable(field):
            return None
        if isinstance(field, models.DateTimeField) and isinstance(bound, datetime):
            return _datetime_condition(lookup, op, bound)
        if isinstance(bound, datetime) != isinstance(field, models.DateTimeField):
            return None  # a date against a number, or a number against a date: no match
        condition = Q(**{f"{lookup}__{op}": bound})
    elif isinstance(field, models.DateTimeField):
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        return None if moment is None else _datetime_condition(lookup, "eq", moment)
    elif isinstance(field, models.IntegerField) and not INTEGER_FORM.fullmatch(value):
        return None  # "01", "1.0" or "abc" is not the string form of any integer
    elif isinstance(field, models.DecimalField | models.FloatField) and comparable_or_none(value) is None:
        return None  # "NaN", "Infinity" or "abc" is not the string form of a stored number
    else:
        condition = Q(**{lookup: value})
    try:
        qs.filter(condition)  # builds the lookup: a value the column cannot hold raises here
    except (ValueError, TypeError, OverflowError, DjangoValidationError):
        return None
    return condition


class TmfViewSet(viewsets.GenericViewSet):
    """Subclasses set ``queryset``, ``serializer_class`` (a TmfResourceSerializer) and may set:

    - ``db_filters``: {"attribute.path": "orm__lookup"} filters answered by the database (a tuple
      of lookups matches if any does); any other attribute is matched on the rendered
      representation (slower, but any path works);
    - ``read_only_on_create``: attributes a client may not send (400);
    - ``perform_create(data, actor)`` / ``perform_update(obj, data, actor)`` / ``perform_destroy``:
      call the app's services and return the model instance.
    """

    renderer_classes = [TmfJSONRenderer]
    pagination_class = None  # TMF paging (offset/limit + X-Total-Count) is done in list()
    parser_classes = [JSONParser, MergePatchJSONParser]
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    db_filters: dict[str, str | tuple[str, ...]] = {}
    # attributes whose filter is not a column match (e.g. a state shown through a mapping): attribute -> the
    # name of a method (queryset, value) -> queryset
    custom_filters: dict[str, str] = {}
    read_only_on_create: set[str] = set()
    read_only_on_update: set[str] = set()
    ordering = ("-created_at", "-pk")

    def check_permissions(self, request):
        # A method the resource does not have is 405 for everyone, before any permission check.
        if self.action is None and request.method != "OPTIONS":
            raise MethodNotAllowed(request.method)
        super().check_permissions(request)

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
        params = request.query_params.copy()
        for attribute, method in self.custom_filters.items():
            if attribute in params:
                qs = getattr(self, method)(qs, params.pop(attribute)[-1].strip().strip('"'))
        python_filters = []
        for f in parse_filters(params):
            if f.op != "eq" and comparable_or_none(f.value) is None:
                raise ParseError(f"'{f.value}' is not a date, date-time or number for {f.path}.{f.op}")
            lookup = self.db_filters.get(f.path)
            lookups = () if lookup is None else (lookup,) if isinstance(lookup, str) else tuple(lookup)
            if not lookups or (f.op != "eq" and not all(_orderable(_model_field(qs.model, x)) for x in lookups)):
                python_filters.append(f)  # the representation answers it, with the exact semantics
                continue
            # Several lookups (e.g. a local row or an external reference) match if any does.
            conditions = [c for c in (_db_condition(qs, x, f.op, f.value) for x in lookups) if c is not None]
            qs = qs.filter(reduce(operator.or_, conditions)) if conditions else qs.none()
        if python_filters:
            rows = [d for d in (self.render(o) for o in self._candidates(qs, python_filters))
                    if representation_matches(d, python_filters)]
            total, page = len(rows), rows[offset:offset + limit]
        else:
            total = qs.count()
            page = [self.render(o) for o in qs[offset:offset + limit]] if offset < total else []
        data = [select_fields(d, fields) for d in page]
        return Response(data, headers={"X-Total-Count": str(total), "X-Result-Count": str(len(data))})

    def _candidates(self, qs, python_filters) -> list:
        """The rows a filter on a non-column attribute is matched over: at most
        TMF_FILTER_CANDIDATE_LIMIT of them (what the database filters left), never a table scan."""
        cap = settings.TMF_FILTER_CANDIDATE_LIMIT
        rows = list(qs[:cap + 1])
        if len(rows) > cap:
            names = ", ".join(sorted({f.path for f in python_filters}))
            supported = ", ".join(sorted(self.db_filters)) or "none"
            raise ParseError(
                f"Filtering on {names} is answered only over at most {cap} {self.serializer_class.tmf_type} "
                f"resources; narrow the request first with the filters answered for any size: {supported}.")
        return rows

    def retrieve(self, request, *args, **kwargs):
        data = self.render(self.get_object())
        return Response(select_fields(data, parse_fields(request.query_params.get("fields"))))

    # --- writing -----------------------------------------------------------------------
    def _validated(self, *, partial: bool, forbidden: set[str], instance=None) -> dict:
        """The body checked against the resource's official spec definition (bss.tmf.spec: types,
        required and unknown attributes) and by its serializer (what we model), every problem
        reported at once under its TMF attribute path."""
        body = self.request.data
        if not isinstance(body, dict):
            raise ParseError("The request body must be a JSON object")
        serializer = self.get_serializer(instance, data=body, partial=partial)
        known = set(serializer.fields)
        spec = getattr(serializer, "tmf_spec", None)
        if spec is not None:
            errors = spec.problems(body, update=partial, extensions=known)
        else:
            errors = {name: ["Unknown attribute"] for name in sorted(set(body) - known)}
        for name in sorted(set(body) & (forbidden | ALWAYS_READ_ONLY)):
            errors[name] = ["Read-only attribute; it may not be set by the client"]
        if partial:
            # A PATCH (merge patch) replaces the attributes it names and leaves the others alone:
            # validate just those, each as a whole, so that nested objects keep their mandatory
            # attributes (DRF's partial mode would waive them at every depth).
            for name in known - set(body):
                del serializer.fields[name]
            serializer.partial = False
        if not serializer.is_valid():
            for path, messages in flatten_errors(serializer.errors).items():
                if not any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in errors):
                    errors[path] = messages  # the spec's own finding on a path is the one reported
        if errors:
            raise DrfValidationError(errors)
        return serializer.validated_data

    # --- error attribute names --------------------------------------------------------------
    # Services name fields as the models do; the API answers with the TMF attribute paths:
    # ``error_names`` renames the first part of an error key, ``nested_error_names`` the parts below.
    error_names: dict[str, str] = {}
    nested_error_names: dict[str, str] = {}

    def tmf_error_key(self, key: str) -> str:
        """An error key raised by a service (``valid_from``, ``characteristics[0].value_type``) as the
        TMF attribute path the client sent; subclasses may do more (e.g. re-index a list)."""
        out = []
        for i, part in enumerate(key.split(".")):
            name, index = ERROR_KEY_PART.fullmatch(part).groups()
            names = {**COMMON_ERROR_NAMES, **self.error_names} if i == 0 else self.nested_error_names
            out.append(names.get(name, name) + index)
        return ".".join(out)

    def _service_errors(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainValidationError as e:
            raise DomainValidationError({self.tmf_error_key(k): v for k, v in e.field_errors.items()},
                                        e.message) from e

    def create(self, request, *args, **kwargs):
        data = self._validated(partial=False, forbidden=self.read_only_on_create)
        with transaction.atomic():
            obj = self._service_errors(self.perform_create, data, Actor.from_request(request))
        body = self.render(obj)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body.get("href", "")})

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._validated(partial=True, forbidden=self.read_only_on_update, instance=obj)
        with transaction.atomic():
            obj = self._service_errors(self.perform_update, obj, data, Actor.from_request(request))
        return Response(self.render(obj))

    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        with transaction.atomic():
            self._service_errors(self.perform_destroy, obj, Actor.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Resources that do not support a write answer 405 with the TMF Error body.
    def perform_create(self, data: dict, actor: Actor):
        raise MethodNotAllowed(self.request.method)

    def perform_update(self, obj, data: dict, actor: Actor):
        raise MethodNotAllowed(self.request.method)

    def perform_destroy(self, obj, actor: Actor):
        raise MethodNotAllowed(self.request.method)
