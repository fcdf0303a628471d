"""Celery tasks on the provisioning queue: thin, idempotent, acks_late; they call services."""

from celery import shared_task

from bss.actors import Actor

from .resource_tasks import resources_sweep_task  # noqa: F401  (registered with the app's tasks)


@shared_task(name="service_activation.run_service_order", acks_late=True)
def run_service_order_task(service_order_id: int) -> None:
    from .services.service_orders import service_order_run

    service_order_run(service_order_id=service_order_id, actor=Actor.system("provisioning"))


@shared_task(name="service_activation.execute_work_order", bind=True, acks_late=True, max_retries=5,
             soft_time_limit=120)
def execute_work_order_task(self, work_order_id: int) -> str:
    from .services.service_orders import work_order_execute

    outcome = work_order_execute(work_order_id=work_order_id, actor=Actor.system("provisioning"))
    if outcome == "retry":
        if self.app.conf.task_always_eager:
            return execute_work_order_task.run(work_order_id)
        raise self.retry(countdown=min(2 ** self.request.retries, 60))
    return outcome


@shared_task(name="service_activation.close_service_orders", acks_late=True)
def close_service_orders_task() -> int:
    from .services.service_orders import service_orders_close

    return service_orders_close()


@shared_task(name="service_activation.resume_stalled_work_orders", acks_late=True)
def resume_stalled_work_orders_task() -> int:
    from .services.service_orders import work_orders_resume_stalled

    return work_orders_resume_stalled()


@shared_task(name="service_activation.planned_outages_tick", acks_late=True)
def planned_outages_tick_task() -> dict:
    from .services.outage import planned_outages_tick

    return planned_outages_tick()
