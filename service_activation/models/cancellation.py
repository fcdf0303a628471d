"""TMF641 v4 cancelServiceOrder: a request to cancel a service order, kept with who asked, why, when, and its
outcome. The service order itself moves through service_activation.services.service_orders.service_order_cancel
(the three cases of seed 001 1.1.2.2.3); the request follows it (TaskStateType: accepted, inProgress, done,
terminatedWithError). TMF641 v3 has no cancellation resource (docs/service_activation.md)."""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition


class CancelServiceOrder(FSMModelMixin, models.Model):
    CUSTOMER_PATH = "service_order__customer"

    class State(models.TextChoices):  # TMF641 v4 TaskStateType, exactly
        ACCEPTED = "accepted", "Accepted"
        IN_PROGRESS = "inProgress", "In progress (rolling back)"
        DONE = "done", "Done (cancelled)"
        TERMINATED_WITH_ERROR = "terminatedWithError", "Refused"

    OPEN = (State.ACCEPTED, State.IN_PROGRESS)

    service_order = models.ForeignKey("service_activation.ServiceOrder", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="cancellation_requests")
    service_order_ref = models.JSONField(default=dict, blank=True, help_text="the serviceOrder reference as sent")
    state = FSMField(max_length=20, choices=State.choices, default=State.ACCEPTED, protected=True)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    requested_cancellation_date = models.DateTimeField(null=True, blank=True)
    effective_cancellation_date = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True, help_text="what happened, or why it was refused")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    tmf_extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Cancellation {self.pk}"

    @transition(field=state, source=State.ACCEPTED, target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=[State.ACCEPTED, State.IN_PROGRESS], target=State.DONE)
    def finish(self):
        pass

    @transition(field=state, source=[State.ACCEPTED, State.IN_PROGRESS], target=State.TERMINATED_WITH_ERROR)
    def refuse(self):
        pass
