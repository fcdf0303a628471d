"""Planned outages (eTOM 1.1.2.2.4): a stored record of a maintenance window on some services. The customers
whose active services it affects are told when it is announced; it shows on their customer page; service order
jeopardy clocks of those customers are held (paused) during the window."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class PlannedOutage(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "inProgress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    specifications = models.ManyToManyField("service_activation.ServiceSpecification", related_name="outages",
                                            help_text="the services affected: active services of these kinds")
    area_codes = models.JSONField(default=list, blank=True, help_text="limit to these install areas (empty: all)")
    status = FSMField(max_length=12, choices=Status.choices, default=Status.SCHEDULED, protected=True)
    affected_customers = models.JSONField(default=list, blank=True, help_text="customer ids told of it")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="outage_window_order")]

    def __str__(self):
        return self.title

    @transition(field=status, source=Status.SCHEDULED, target=Status.IN_PROGRESS)
    def begin(self):
        pass

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.COMPLETED)
    def end(self):
        pass

    @transition(field=status, source=[Status.SCHEDULED, Status.IN_PROGRESS], target=Status.CANCELLED)
    def cancel(self):
        pass
