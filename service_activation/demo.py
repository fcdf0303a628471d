"""Demo data of service activation (written through its services): see orders.demo for the orders that use it."""


def seed():
    return None
