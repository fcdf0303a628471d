"""Load a realistic demo operator, idempotently: staff users for every role, a self-service
customer, and (through each app's demo module) customers, accounts and later catalog/orders."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from bss.actors import Actor
from bss.demo import seed_all
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
        for line in seed_all(actor=Actor.system("seed_demo"), options={"customers": customers,
                                                                        "password": DEMO_PASSWORD}):
            self.stdout.write(line)
        token, _ = Token.objects.get_or_create(user=User.objects.get(username="integrator"))
        self.stdout.write(self.style.SUCCESS("Demo logins (password 'demo'): " + ", ".join(
            [s[0] for s in STAFF] + ["customer (self-service)"]) + f"; integrator API token: {token.key}"))
