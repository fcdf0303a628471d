"""Portal URLs of service activation: staff /csr/provisioning/ ("provisioning")."""

from django.urls import path

from .views import appointments, assignment, csr, monitoring, recovery

csr_patterns = [
    path("worklist/", csr.worklist, name="worklist"),
    path("fallout/", csr.fallout, name="fallout"),
    path("work-orders/<int:pk>/complete/", csr.work_order_complete, name="work_order_complete"),
    path("work-orders/<int:pk>/retry/", csr.work_order_retry, name="work_order_retry"),
    path("work-orders/<int:pk>/give-up/", csr.work_order_give_up, name="work_order_give_up"),
    path("service-orders/<int:pk>/", csr.service_order_detail, name="service_order"),
    path("service-orders/<int:pk>/cancel/", csr.service_order_cancel, name="service_order_cancel"),
    path("monitoring/", monitoring.monitoring, name="monitoring"),
    path("reports/", monitoring.provisioning_reports, name="reports"),
    *recovery.urlpatterns,
    *assignment.urlpatterns,
    *appointments.urlpatterns,
]
