"""Demo data, gathered from every app: an AppConfig with a ``demo_seed`` attribute (the dotted path
of ``seed(*, actor, options) -> list[str]``) contributes its data, in INSTALLED_APPS order, so
bss never imports a domain app (the same way ``role_permissions`` are collected)."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.utils.module_loading import import_string

from bss.actors import Actor


def demo_seeders() -> Iterator[tuple[str, object]]:
    for config in apps.get_app_configs():
        path = getattr(config, "demo_seed", None)
        if path:
            yield config.label, import_string(path)


def seed_all(*, actor: Actor, options: dict) -> list[str]:
    lines: list[str] = []
    for _label, seed in demo_seeders():
        lines += seed(actor=actor, options=options)
    return lines
