"""Celery tasks of order handling: thin, idempotent, acks_late; they call services."""

from celery import shared_task

from bss.actors import Actor


@shared_task(name="orders.process_order", acks_late=True)
def process_order_task(order_id: int) -> None:
    from .services.ordering import customer_order_process

    customer_order_process(order_id=order_id, actor=Actor.system("order handling"))


@shared_task(name="orders.close_orders", acks_late=True)
def close_orders_task() -> int:
    from .services.ordering import customer_orders_archive, customer_orders_close

    return customer_orders_close() + customer_orders_archive()


@shared_task(name="orders.resume_stalled", acks_late=True)
def resume_stalled_orders_task() -> int:
    from .services.ordering import orders_resume_stalled

    return orders_resume_stalled()
