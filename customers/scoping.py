"""The one place that decides which customer data a user may reach.

Staff roles see everything their permissions allow; a self-service user sees only rows that
lead (through each model's CUSTOMER_PATH) to the Customer their login is linked to; anyone
else sees nothing. Every queryset in portal views, native API and TMF API goes through here.
"""

from django.db.models import QuerySet

from bss.roles import is_staff_user


def self_service_customer_id(user) -> int | None:
    if not user or not user.is_authenticated:
        return None
    if not hasattr(user, "_ss_customer_id"):
        from .models import SelfServiceAccess

        user._ss_customer_id = (
            SelfServiceAccess.objects.filter(user=user).values_list("customer_id", flat=True).first()
        )
    return user._ss_customer_id


def visible_to(qs: QuerySet, user) -> QuerySet:
    if is_staff_user(user):
        return qs
    customer_id = self_service_customer_id(user)
    if customer_id is None:
        return qs.none()
    path = qs.model.CUSTOMER_PATH
    return qs.filter(**{path: customer_id}).distinct() if "__" in path or path == "customers" else qs.filter(
        **{path: customer_id})
