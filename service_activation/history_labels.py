"""Labels of the service activation history codes (bss.audit.display; docs/portal/history.md)."""

LABELS = {
    "service_activation.service_specification.created": "Service specification created",
    "service_activation.service_specification.updated": "Service specification changed",
    "service_activation.service_specification.launch": "Service specification launched",
    "service_activation.service_specification.retire": "Service specification retired",
    "service_activation.service_specification.reinstate": "Service specification reinstated",
    # resource pools (eTOM 1.1.2.2.2, services/resources.py)
    "service_activation.resource_pool.created": "Resource pool created",
    "service_activation.resource_pool.updated": "Resource pool changed",
    "service_activation.resource_pool.numbers_loaded": "Number range loaded",
    "service_activation.resource_pool.sims_loaded": "SIM file loaded",
    "service_activation.resource_pool.addresses_loaded": "IPv4 addresses loaded",
    "service_activation.resource_pool.ports_loaded": "Access-node ports loaded",
    "service_activation.resource_pool.vlans_loaded": "VLANs loaded",
    "service_activation.resource_pool.reservations_expired": "Reservations expired",
    "service_activation.resource_pool.quarantine_released": "Quarantine ended",
    "service_activation.resource.reserved": "Resource reserved",
    "service_activation.resource.allocated": "Resource allocated",
    "service_activation.resource.released": "Reservation released",
    "service_activation.resource.quarantined": "Resource released into quarantine",
    "service_activation.resource.expired": "Reservation expired",
    "service_activation.resource.quarantine_ended": "Quarantine ended",
}
