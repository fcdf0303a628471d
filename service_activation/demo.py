"""Demo data of service activation, written through its services; the demo orders (orders.demo) use it."""

from bss.actors import Actor


def seed(*, actor: Actor, options: dict) -> list[str]:
    return []
