"""Template context for the self-service layout: which customer this login acts for."""

from django.utils.functional import SimpleLazyObject

from customers.scoping import self_service_customer_id


def self_service(request):
    """``my_customer``: the customer a self-service login is linked to (its name heads every /my/ page),
    looked up lazily so staff pages never pay for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_customer():
        customer_id = self_service_customer_id(user)
        if customer_id is None:
            return None
        from customers.models import Customer

        return Customer.objects.select_related("party").filter(pk=customer_id).first()

    return {"my_customer": SimpleLazyObject(my_customer)}
