"""Roles are Django groups. Each app declares what its roles may do in its AppConfig:

    class CustomersConfig(AppConfig):
        role_permissions = {"CSR": ["customers.view_*", "customers.add_customer"], ...}

sync_roles() collects every app's declarations (patterns on "app_label.codename") and sets
each group's permissions; it runs after every migrate, so a new app's rules arrive with it.
"""

from fnmatch import fnmatch

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS


class Role:
    CSR = "CSR"
    SUPERVISOR = "Supervisor"
    BILLING = "Billing operator"
    PROVISIONING = "Provisioning engineer"
    INTEGRATOR = "Integrator"
    # Loads data from the systems we replace (e.g. the product inventory, TMF637 POST/PATCH/DELETE):
    # an API client like the Integrator, with no portal session.
    MIGRATION = "Data migration"
    ADMIN = "Admin"
    CUSTOMER = "Customer"

    ALL = [CSR, SUPERVISOR, BILLING, PROVISIONING, INTEGRATOR, MIGRATION, ADMIN, CUSTOMER]
    # Staff roles see every customer's data (data scoping: is_staff_user); the Integrator
    # and the data migration among them reach that data through the APIs only.
    STAFF = [CSR, SUPERVISOR, BILLING, PROVISIONING, INTEGRATOR, MIGRATION, ADMIN]
    # Roles that may use the staff portal (/csr/): staff minus the API-only roles.
    API_ONLY = [INTEGRATOR, MIGRATION]
    PORTAL = [CSR, SUPERVISOR, BILLING, PROVISIONING, ADMIN]
    # Roles that may sign in to Django admin (is_staff).
    ADMIN_SITE = [SUPERVISOR, BILLING, PROVISIONING, ADMIN]


# Platform-level permissions (bss app models).
PLATFORM_PERMISSIONS = {
    Role.ADMIN: ["*"],
    Role.SUPERVISOR: ["bss.view_historyentry", "bss.view_event", "bss.view_eventdelivery"],
    Role.CSR: ["bss.view_historyentry"],
    Role.INTEGRATOR: ["bss.view_historyentry", "bss.add_hubsubscription", "bss.delete_hubsubscription",
                      "bss.view_hubsubscription"],
}


def declared_permissions() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {role: [] for role in Role.ALL}
    for role, patterns in PLATFORM_PERMISSIONS.items():
        merged[role] += patterns
    for config in global_apps.get_app_configs():
        for role, patterns in getattr(config, "role_permissions", {}).items():
            merged.setdefault(role, []).extend(patterns)
    return merged


def is_staff_user(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_bss_is_staff"):  # once per request: the user object is per request
        user._bss_is_staff = user.groups.filter(name__in=Role.STAFF).exists()
    return user._bss_is_staff


def is_portal_user(user) -> bool:
    """May use the staff portal (/csr/): a superuser or a user with a portal role (Role.PORTAL)."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_bss_is_portal"):  # once per request, like is_staff_user
        user._bss_is_portal = user.groups.filter(name__in=Role.PORTAL).exists()
    return user._bss_is_portal


def is_api_only_user(user) -> bool:
    """Every role of the user is API-only (Role.API_ONLY): an API client, with no portal session
    (bss.auth.LoginForm refuses it). A user who also holds a portal or Customer role is not."""
    if not user or not user.is_authenticated or user.is_superuser:
        return False
    names = set(user.groups.values_list("name", flat=True))
    return bool(names) and names <= set(Role.API_ONLY)


def is_self_service_user(user) -> bool:
    """Has the Customer role (the self-service pages, /my/; which customer is customers.scoping's)."""
    if not user or not user.is_authenticated:
        return False
    if not hasattr(user, "_bss_is_customer"):
        user._bss_is_customer = user.groups.filter(name=Role.CUSTOMER).exists()
    return user._bss_is_customer


def sync_roles(using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    all_perms = [(f"{p.content_type.app_label}.{p.codename}", p.pk)
                 for p in Permission.objects.using(using).select_related("content_type")]
    for role, patterns in declared_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        ids = {pk for name, pk in all_perms if any(fnmatch(name, pat) for pat in patterns)}
        group.permissions.set(ids)


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    # Permissions of apps later in INSTALLED_APPS are created by their own post_migrate; make
    # sure they all exist before the groups are filled.
    for config in global_apps.get_app_configs():
        if config.models_module is not None:
            create_permissions(config, verbosity=0, using=using)
    sync_roles(using=using)
