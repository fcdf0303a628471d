"""Labels of the platform's own history codes (bss.audit.display; docs/portal/history.md)."""

LABELS = {
    "bss.user.created": "User created",
    "bss.user.updated": "User details changed",
    "bss.user.roles_changed": "User roles changed",
    "bss.user.api_token_issued": "API token issued",
    "bss.hub_subscription.created": "Event subscription created",
    "bss.hub_subscription.updated": "Event subscription changed",
    "bss.hub_subscription.deleted": "Event subscription deleted",
}
