"""A simulated network: configurable latency and failure rate (settings.BSS_SIMULATED_NETWORK), keeping its
own record of what is configured (NetworkConfiguration, one row per idempotency key)."""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from .base import Adapter, AdapterError, AdapterResult, StepRequest


def _conf() -> dict:
    return {"latency_ms": 0, "failure_rate": 0.0, "fail_steps": (), "fail_tests": (),
            **getattr(settings, "BSS_SIMULATED_NETWORK", {})}


class SimulatedAdapter(Adapter):
    def apply(self, request: StepRequest) -> AdapterResult:
        from service_activation.models import NetworkConfiguration

        conf = _conf()
        existing = NetworkConfiguration.objects.filter(idempotency_key=request.idempotency_key).first()
        if existing is not None:  # a retry after the first call got through: configured once
            return AdapterResult(ok=True, detail="already applied", data={"configuration": existing.pk})
        fail_codes = conf["fail_tests"] if request.operation == "test" else conf["fail_steps"]
        if request.step_code in fail_codes or (conf["failure_rate"] and random.random() < conf["failure_rate"]):
            if request.operation == "test":
                return AdapterResult(ok=False, detail=f"{request.step_code}: check failed on {request.element}")
            raise AdapterError(f"{request.element} refused {request.step_code} (simulated failure)")
        try:
            with transaction.atomic():
                row = NetworkConfiguration.objects.create(
                    idempotency_key=request.idempotency_key, element=request.element or "network",
                    operation=request.operation, service_ref=request.service_ref,
                    config={"step": request.step_code, **request.characteristics, **request.config})
        except IntegrityError:  # two attempts at once: the other one configured it
            row = NetworkConfiguration.objects.get(idempotency_key=request.idempotency_key)
        if conf["latency_ms"]:  # the element's answer takes this long (it is configured already)
            time.sleep(conf["latency_ms"] / 1000)
        return AdapterResult(ok=True, detail="configured" if request.operation != "test" else "passed",
                             data={"configuration": row.pk})
