"""Service Configuration & Activation (eTOM 1.1.2.2). For now only the service catalog entry
that product specifications point at; service orders arrive with their own issue."""

from django.db import models


class ServiceSpecification(models.Model):
    class LifecycleStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lifecycle_status = models.CharField(max_length=10, choices=LifecycleStatus.choices,
                                        default=LifecycleStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
