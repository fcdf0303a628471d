"""Service Configuration & Activation (eTOM 1.1.2.2): the service catalog entry that product specifications
point at, with what decomposition and activation need: parameters, the resources it needs, an activation
plan (ordered steps, automatic through an adapter or manual for a team), an end-to-end test plan and a
recovery plan."""

from django.db import models

from bss.lifecycle import LifecycleMixin, LifecycleStatus


class ServiceSpecification(LifecycleMixin, models.Model):
    """The lifecycle (``lifecycle_status``: draft / active / retired, the shared bss.lifecycle) is a
    protected FSM field: it changes through service_activation.services only.

    ``characteristics``: [{"name", "valueType", "default", "mandatory"}]; ``required_resources``: resource kinds
    (msisdn, sim, ipv4, vlan, port); ``test_plan`` / ``recovery_plan``: [{"code", "name", "kind": automatic|manual,
    "adapter"}]."""

    LifecycleStatus = LifecycleStatus  # the shared enum, under the name callers already use

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    characteristics = models.JSONField(default=list, blank=True)
    required_resources = models.JSONField(default=list, blank=True)
    test_plan = models.JSONField(default=list, blank=True)
    recovery_plan = models.JSONField(default=list, blank=True)
    delivered_by_partner = models.BooleanField(default=False)
    partner_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ActivationStep(models.Model):
    """One step of a service specification's activation plan."""

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic (adapter)"
        MANUAL = "manual", "Manual (team worklist)"

    specification = models.ForeignKey(ServiceSpecification, on_delete=models.CASCADE, related_name="activation_steps")
    sequence = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AUTOMATIC)
    specialty = models.CharField(max_length=60, blank=True, help_text="the team or network element type")
    adapter = models.CharField(max_length=30, blank=True, default="simulated",
                               help_text="automatic steps: simulated / http (service_activation.adapters)")
    adapter_config = models.JSONField(default=dict, blank=True)
    depends_on = models.JSONField(default=list, blank=True, help_text="codes of steps that must be done first")
    needs_appointment = models.BooleanField(default=False)

    class Meta:
        ordering = ["specification", "sequence"]
        constraints = [models.UniqueConstraint(fields=["specification", "code"], name="activation_step_code_uniq")]

    def __str__(self):
        return f"{self.specification.code}.{self.code}"
