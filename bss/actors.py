"""Who does something, and through which front door: passed to every service."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    PORTAL = "portal", "CSR portal"
    SELF_SERVICE = "self_service", "Self-service"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    SYSTEM = "system", "System"


@dataclass(frozen=True)
class Actor:
    user: object | None
    channel: str
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(user=None, channel=Channel.SYSTEM, label=label)

    @classmethod
    def from_request(cls, request, channel: str | None = None) -> Actor:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        if channel is None:
            path = request.path
            if path.startswith(("/tmf-api/", "/api/")):
                channel = Channel.API
            elif path.startswith("/my/"):
                channel = Channel.SELF_SERVICE
            elif path.startswith("/admin/"):
                channel = Channel.ADMIN
            else:
                channel = Channel.PORTAL
        return cls(user=user, channel=channel, label=user.get_username() if user else "anonymous")

    @property
    def user_id(self):
        return getattr(self.user, "pk", None)
