"""Labels of the service activation history codes (bss.audit.display; docs/portal/history.md)."""

LABELS = {
    "service_activation.service_specification.created": "Service specification created",
    "service_activation.service_specification.updated": "Service specification changed",
    "service_activation.service_specification.launch": "Service specification launched",
    "service_activation.service_specification.retire": "Service specification retired",
    "service_activation.service_specification.reinstate": "Service specification reinstated",
}
