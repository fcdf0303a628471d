from django.apps import AppConfig

from bss.roles import Role


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customer inventory"

    # `manage.py seed_demo` calls this (bss.demo): the app's demo data, written through its services.
    demo_seed = "customers.demo.seed"

    role_permissions = {
        Role.ADMIN: ["customers.*"],
        Role.CSR: ["customers.view_*", "customers.add_*", "customers.change_*"],
        Role.SUPERVISOR: ["customers.view_*", "customers.add_*", "customers.change_*"],
        Role.BILLING: ["customers.view_*", "customers.change_billingaccount", "customers.change_billcycle"],
        Role.PROVISIONING: ["customers.view_*", "customers.change_product"],
        # TMF DELETE on customer/party closes the record (never a hard delete): delete_* grants it.
        Role.INTEGRATOR: ["customers.view_*", "customers.add_*", "customers.change_*", "customers.delete_customer",
                          "customers.delete_party"],
        # Writes products outside an order (TMF637 POST/PATCH/DELETE): customers.migrate_product.
        Role.MIGRATION: ["customers.view_product", "customers.migrate_product"],
        Role.CUSTOMER: [
            "customers.view_customer", "customers.view_party", "customers.view_contact",
            "customers.change_contact", "customers.add_contact", "customers.view_contactmedium",
            # Not change_address: an address carries the area code serviceability is judged on.
            "customers.view_address", "customers.view_billingaccount",
            "customers.view_product",
        ],
    }

    def ready(self):
        from . import events  # noqa: F401  registers TMF event renderers
