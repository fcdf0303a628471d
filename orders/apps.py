from django.apps import AppConfig

from bss.roles import Role

CATALOG_VIEW = ["orders.view_productoffering", "orders.view_productofferingprice", "orders.view_productspecification",
                "orders.view_category", "orders.view_catalog", "orders.view_speccharacteristic",
                "orders.view_pricealteration"]


# Customer order handling: entering, changing and cancelling orders and working their tasks (the FSM moves through
# orders.services.ordering only; these permissions say who may call which door).
ORDER_ENTRY = ["orders.add_customerorder", "orders.view_customerorder", "orders.change_customerorder",
               "orders.view_ordertask", "orders.change_ordertask", "orders.view_cancelproductorder",
               "orders.add_cancelproductorder", "orders.view_ordertype", "orders.view_milestonestatus"]
ORDER_VIEW = ["orders.view_customerorder", "orders.view_ordertask", "orders.view_cancelproductorder",
              "orders.view_ordertype", "orders.view_milestonestatus"]


class OrdersConfig(AppConfig):
    """eTOM 1.1.1.5 Order Handling: catalog, feasibility, credit, customer orders (TMF620/679/622)."""

    name = "orders"

    # `manage.py seed_demo` calls this (bss.demo): the app's demo data, written through its services.
    demo_seed = "orders.demo.seed"

    role_permissions = {
        Role.ADMIN: ["orders.*"],  # catalog administrators
        Role.SUPERVISOR: [*CATALOG_VIEW, *ORDER_ENTRY, "orders.view_configurationdefect",
                          "orders.change_configurationdefect", "orders.add_configurationdefect", "orders.view_feasibilityrule", "orders.view_coveragearea",
                          "orders.*offeringqualification", "orders.view_creditcheck", "orders.add_creditcheck",
                          "orders.review_creditcheck", "orders.view_creditpolicy"],
        Role.CSR: [*CATALOG_VIEW, *ORDER_ENTRY, "orders.view_feasibilityrule", "orders.view_coveragearea",
                   "orders.*offeringqualification", "orders.view_creditcheck", "orders.add_creditcheck"],
        Role.BILLING: [*CATALOG_VIEW, *ORDER_VIEW, "orders.view_creditcheck"],
        Role.PROVISIONING: [*CATALOG_VIEW, *ORDER_VIEW, "orders.change_ordertask", "orders.view_coveragearea"],
        Role.INTEGRATOR: [*CATALOG_VIEW, "orders.*offeringqualification", "orders.add_creditcheck",
                          "orders.view_creditcheck", "orders.*_customerorder", "orders.view_cancelproductorder",
                          "orders.add_cancelproductorder"],
        Role.CUSTOMER: [*CATALOG_VIEW, "orders.add_offeringqualification", "orders.view_offeringqualification",
                        "orders.add_customerorder", "orders.view_customerorder", "orders.change_customerorder",
                        "orders.view_cancelproductorder", "orders.add_cancelproductorder"],
    }

    def ready(self):
        from bss.approvals.registry import register_approval_type

        # Manual credit review runs on bss.approvals; an ApprovalPolicy row for the type overrides
        # these defaults (e.g. amount limits per currency and an escalation role).
        from . import (
            events,  # noqa: F401  registers the TMF620 catalog resources for events
            notifications,  # noqa: F401  internal notification lists, from the order's events
            receivers,  # noqa: F401  service orders report upward by event
        )
        from .ordering_clock import register_order_clock
        from .services.credit import CREDIT_REFERRAL, credit_referral_decided

        register_order_clock()
        register_approval_type(CREDIT_REFERRAL, label="Credit referral", approver_roles=[Role.SUPERVISOR, Role.ADMIN],
                               on_decision=credit_referral_decided)
