"""Resource pools and their resources (service_activation, eTOM 1.1.2.2.2). Rows are built directly (fast);
tests of a service call the service."""

import factory

from service_activation.models import Resource, ResourceKind, ResourcePool


class ResourcePoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourcePool

    kind = ResourceKind.MSISDN
    code = factory.Sequence(lambda n: f"pool-{n}")
    name = factory.Sequence(lambda n: f"Pool {n}")
    reservation_minutes = 30
    quarantine_days = 90


class ResourceFactory(factory.django.DjangoModelFactory):
    """A free resource; the value follows the pool's kind (numbers 08710xxxxx by default)."""

    class Meta:
        model = Resource

    pool = factory.SubFactory(ResourcePoolFactory)
    kind = factory.SelfAttribute("pool.kind")
    value = factory.Sequence(lambda n: f"0872{n:06d}")
    category = Resource.Category.REGULAR


def number_pool(count: int = 10, *, start: int = 872_000_000, **pool_fields) -> ResourcePool:
    """An MSISDN pool with ``count`` free regular numbers (0872000000, 0872000001, ...), one multi-row insert."""
    pool = ResourcePoolFactory(kind=ResourceKind.MSISDN, **pool_fields)
    Resource.objects.bulk_create(Resource(pool=pool, kind=pool.kind, value=f"0{start + i:09d}")
                                 for i in range(count))
    return pool
