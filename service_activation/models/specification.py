"""Service Configuration & Activation (eTOM 1.1.2.2). For now only the service catalog entry
that product specifications point at; service orders arrive with their own issue."""

from django.db import models

from bss.lifecycle import LifecycleMixin, LifecycleStatus


class ServiceSpecification(LifecycleMixin, models.Model):
    """The lifecycle (``lifecycle_status``: draft / active / retired, the shared bss.lifecycle) is a
    protected FSM field: it changes through service_activation.services only."""

    LifecycleStatus = LifecycleStatus  # the shared enum, under the name callers already use

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
