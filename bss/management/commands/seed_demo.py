"""Load a realistic demo operator, idempotently: staff users for every role, a self-service
customer, and (through each app's demo module) customers, accounts and later catalog/orders."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from bss.actors import Actor
from bss.models import User
from bss.roles import Role, sync_roles

DEMO_PASSWORD = "demo"
# username, role, first name, last name, adjustment approval limit (EUR)
STAFF = [
    ("csr", Role.CSR, "Cathal", "Rep", "50.00"),
    ("supervisor", Role.SUPERVISOR, "Sorcha", "Lead", "1000.00"),
    ("billing", Role.BILLING, "Brian", "Ledger", "250.00"),
    ("provisioning", Role.PROVISIONING, "Pia", "Network", "0.00"),
    ("integrator", Role.INTEGRATOR, "API", "Client", "0.00"),
    ("admin", Role.ADMIN, "Ada", "Admin", "100000.00"),
]


class Command(BaseCommand):
    help = ("Load demo data (idempotent): staff per role, ~300 customers, a self-service login, the catalog, "
            "feasibility rules and coverage, the credit policy.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300)

    def handle(self, *args, customers, **options):
        from customers.demo import seed_customers
        from customers.models import Customer
        from customers.services import self_service_grant
        from orders.demo import seed_catalog
        from orders.demo_credit import seed_credit
        from orders.demo_feasibility import seed_feasibility

        sync_roles()
        for username, role, first, last, limit in STAFF:
            user, created = User.objects.get_or_create(username=username, defaults={
                "first_name": first, "last_name": last, "email": f"{username}@operator.example",
                "approval_limit": Decimal(limit), "is_staff": role in Role.ADMIN_SITE,
                "is_superuser": role == Role.ADMIN})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role))
        made = seed_customers(customers)
        self.stdout.write(f"customers: {made} created, {Customer.objects.count()} in total")
        self.stdout.write(f"catalog: {seed_catalog()} offerings created")
        self.stdout.write(f"feasibility: {seed_feasibility()} rules created")
        self.stdout.write(f"credit: {seed_credit()}")

        with transaction.atomic():
            user, created = User.objects.get_or_create(username="customer", defaults={
                "first_name": "Demo", "last_name": "Customer", "email": "customer@example.ie"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            first = Customer.objects.filter(party__kind="individual", status="active").order_by("pk").first()
            if first and not hasattr(user, "self_service"):
                self_service_grant(customer=first, user=user, actor=Actor.system("seed_demo"))
        token, _ = Token.objects.get_or_create(user=User.objects.get(username="integrator"))
        self.stdout.write(self.style.SUCCESS("Demo logins (password 'demo'): " + ", ".join(
            [s[0] for s in STAFF] + ["customer"]) + f"; integrator API token: {token.key}"))
