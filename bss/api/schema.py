"""The project's OpenAPI schema class (SPECTACULAR DEFAULT_SCHEMA_CLASS)."""

import inspect
import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc, is_list_serializer


class BssAutoSchema(AutoSchema):
    """OpenAPI components of TMF serializers are named TMF_<name>, so TMF629's Customer and the
    native API's Customer (and every nested shape) stay distinct components. Every operation,
    response and parameter gets a description (see get_description and get_operation)."""

    def _get_serializer_name(self, serializer, direction, bypass_extensions=False):
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        module = type(serializer).__module__
        if (".tmf." in module or module.startswith("bss.tmf")) and not name.startswith("TMF_"):
            return f"TMF_{name}"
        return name

    def _map_basic_serializer(self, serializer, direction):
        """A serializer's ``response_optional`` attributes are required in requests only: the
        response schema must not promise what a response can lack."""
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "response_optional", ()))
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    # -- descriptions: every operation, response and parameter says what it is ------------------
    # A view's own docstring (not a base class's: those are notes for developers) follows a sentence
    # made from the action; an action's docstring is used as it is, and its "Returns:" line becomes
    # the response's description. Responses and parameters drf-spectacular leaves empty get a text
    # derived from the resource (the serializer's TMF type or model) and the action.

    def get_description(self):
        name = self._action_name()
        method = getattr(self.view, name, None)
        action_doc = get_doc(method) if method is not None else ""
        if action_doc:
            return action_doc
        if name == "destroy":  # TMF DELETE: what the resource's perform_destroy actually does
            destroy_doc = get_doc(getattr(self.view, "perform_destroy", None)) if hasattr(
                self.view, "perform_destroy") else ""
            if destroy_doc:
                return f"{self._action_sentence(name)}\n\n{destroy_doc}"
        own = inspect.cleandoc(type(self.view).__dict__.get("__doc__") or "")
        return "\n\n".join(part for part in (self._action_sentence(name), own) if part)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code, response in operation.get("responses", {}).items():
            if not response.get("description"):
                response["description"] = self._response_description(str(code))
        for parameter in operation.get("parameters", []):
            if not parameter.get("description"):
                parameter["description"] = self._parameter_description(parameter)
        return operation

    def _action_name(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def _is_tmf(self) -> bool:
        return hasattr(self._resource_serializer(), "tmf_type")

    def _resource_serializer(self):
        try:
            return self.view.get_serializer_class()
        except Exception:  # noqa: BLE001 - a view without a serializer (an APIView)
            return getattr(self.view, "serializer_class", None)

    def _model(self):
        serializer = self._resource_serializer()
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is None:
            model = getattr(getattr(self.view, "queryset", None), "model", None)
        return model

    def _nouns(self) -> tuple[str, str]:
        """(singular, plural) of what this view serves: "customer", "customers"."""
        serializer = self._resource_serializer()
        tmf_type = getattr(serializer, "tmf_type", None)
        if tmf_type:
            noun = _words(tmf_type)
            return noun, _plural(noun)
        model = self._model()
        if model is not None:
            return _model_nouns(model)
        name = type(self.view).__name__
        for suffix in ("ViewSet", "View"):
            name = name.removesuffix(suffix)
        noun = _words(name)
        return noun, _plural(noun)

    def _action_sentence(self, name: str) -> str:
        noun, plural = self._nouns()
        tmf = self._is_tmf()
        if name == "list":
            if tmf:
                example = next((key for key in getattr(self.view, "db_filters", {}) if key != "id"), None)
                return (f"List the {plural} (offset and limit page them; the total is in X-Total-Count). "
                        + (f"Filter by attribute, e.g. ?{example}=…; " if example else "")
                        + "fields=a,b selects attributes.")
            return f"List the {plural}, a page at a time; filter with the query parameters."
        if name == "retrieve":
            return f"Read one {noun} by its id." + (" fields=a,b selects attributes." if tmf else "")
        if name == "create":
            return f"Create {_a(noun)}."
        if name == "partial_update":
            if tmf:
                return f"Change {_a(noun)}: a JSON merge patch, only the attributes sent change."
            return f"Change {_a(noun)}: only the attributes sent change."
        if name == "update":
            return f"Replace {_a(noun)}."
        if name == "destroy":
            return f"Delete {_a(noun)}."
        if name == self.method.lower():  # an APIView: its name says what it does (ObtainTokenView)
            return f"{capfirst(noun)}."
        return f"{capfirst(_words(name))} ({noun})."

    def _returns(self) -> str:
        """The "Returns: ..." line of the action's docstring, as a sentence."""
        method = getattr(self.view, self._action_name(), None)
        doc = get_doc(method) if method is not None else ""
        match = re.search(r"^Returns:\s*(.+?)(?:\n\s*\n|\Z)", doc, re.MULTILINE | re.DOTALL)
        if not match:
            return ""
        text = " ".join(match.group(1).split()).rstrip(".")
        return capfirst(text)

    def _response_description(self, code: str) -> str:
        returns = self._returns()
        if returns:
            return returns
        noun, plural = self._nouns()
        name = self._action_name()
        if code == "201":
            return f"The created {noun}"
        if name == "list":
            if self._is_tmf():
                return f"A page of {plural} (the total is in the X-Total-Count header)"
            return f"A page of {plural}" if self._get_paginator() else f"The {plural}"
        if name == "retrieve":
            return f"The {noun}"
        if name in ("partial_update", "update"):
            return f"The updated {noun}"
        return self._custom_response(noun, plural)

    def _custom_response(self, noun: str, plural: str) -> str:
        """An extra action's response, from its serializer: "The customer's history entries"."""
        serializers = self.get_response_serializers()
        if isinstance(serializers, dict):
            serializers = next(iter(serializers.values()), None)
        many = is_list_serializer(serializers)
        child = serializers.child if many else serializers
        child_class = child if inspect.isclass(child) else type(child) if child is not None else None
        model = getattr(getattr(child_class, "Meta", None), "model", None)
        if model is not None:
            r_noun, r_plural = _model_nouns(model)
        elif child_class is not None and child_class.__name__ not in ("NoneType", "Serializer"):
            r_noun = _words(child_class.__name__.removesuffix("Serializer").removesuffix("Response"))
            r_plural = _plural(r_noun)
        else:
            r_noun, r_plural = noun, plural
        detail = bool(getattr(getattr(self.view, self._action_name(), None), "detail", False))
        if many:
            if detail:
                return f"The {noun}'s {r_plural}"
            return f"A page of {r_plural}" if self._get_paginator() else f"The {r_plural}"
        if r_noun == noun and self.method in ("POST", "PUT", "PATCH"):
            return f"The {noun} after the change"
        return f"The {r_noun}"

    def _parameter_description(self, parameter: dict) -> str:
        name, where = parameter["name"], parameter.get("in")
        noun, plural = self._nouns()
        if where == "path" and name in ("id", "pk", getattr(self.view, "lookup_url_kwarg", None) or "pk"):
            return f"The {noun}'s id"
        model = self._model()
        if where == "query" and model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            if field is not None:
                label = str(getattr(field, "verbose_name", name))
                help_text = f" ({field.help_text})" if getattr(field, "help_text", "") else ""
                if field.is_relation and field.related_model is not None:
                    related = _model_nouns(field.related_model)[0]
                    return f"Only the {plural} of this {related} (its id)"
                if isinstance(field, models.BooleanField):
                    return f"Only the {plural} that are {label.removeprefix('is ')} (true) or not (false)"
                return f"Only the {plural} with this {label}{help_text}"
        return capfirst(_words(name))


def _words(name: str) -> str:
    """ProductOfferingPrice / product_offering_price -> "product offering price"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return " ".join(spaced.split()).lower()


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _plural(noun: str) -> str:
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def _model_nouns(model) -> tuple[str, str]:
    noun = str(model._meta.verbose_name)
    given = model._meta.original_attrs.get("verbose_name_plural")
    return noun, str(given) if given else _plural(noun)
