"""The HTTP adapter demo end to end (1.1.2.2.4): the demo service specification (service_activation.demo) runs
through the generic HTTP adapter against the stub network element (service_activation.stub.ne, what
``manage.py run_stub_ne`` serves) started on a free loopback port; the element accepts the step (202) and reports
back asynchronously to the live server's callback endpoint, which finishes the step; the service is then tested,
activated, and later recovered through the same element."""

import time

import pytest
from rest_framework.test import APIClient

from bss.actors import Actor
from service_activation.adapters.http import callback_url
from service_activation.demo import HTTP_DEMO, seed_http_demo
from service_activation.models import Service, ServiceOrder, WorkOrder
from service_activation.services import service_order_issue
from service_activation.services.service_orders import ServiceItemInput
from service_activation.stub.ne import StubNetworkElement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def element():
    stub = StubNetworkElement(port=0, delay=0.3).start()
    yield stub
    stub.stop()


def _wait(so, state, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        so.refresh_from_db()
        if so.state == state:
            return so
        time.sleep(0.1)
    raise AssertionError(f"{so} is {so.state}, not {state}: "
                         + "; ".join(f"{w.code} {w.status} {w.last_error} {w.result}"
                                     for w in WorkOrder.objects.filter(item__service_order=so)))


def test_a_service_order_runs_through_the_http_adapter_and_the_stubs_asynchronous_callback(live_server, settings,
                                                                                            element):
    settings.BSS_ADAPTER_CALLBACK_BASE_URL = live_server.url
    actor = Actor.system("test")
    spec = seed_http_demo(actor, url=f"{element.url}/provision")
    assert spec.code == HTTP_DEMO and seed_http_demo(actor).pk == spec.pk  # idempotent

    so = service_order_issue(actor=actor, origin="api", items=[ServiceItemInput(item_id="1",
                                                                                specification_id=spec.pk)])
    step = WorkOrder.objects.get(item__service_order=so, code="ne-configure")
    so = _wait(so, ServiceOrder.State.COMPLETED)
    service = so.items.get().service
    service.refresh_from_db()
    assert service.state == Service.State.ACTIVE

    (configured,) = element.configured.values()  # configured once, for the step's idempotency key
    assert configured["key"] == f"wo-{step.pk}"
    assert configured["body"]["service"] == f"service:{service.pk}" and configured["body"]["vlan"] == "210"
    assert configured["body"]["callback"].startswith(f"{live_server.url}/api/v1/adapter-callbacks/")
    deadline = time.monotonic() + 5  # the element notes the answer once it has read it
    while not element.callbacks and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c["status"] for c in element.callbacks] == [200]
    step.refresh_from_db()
    assert step.status == "done" and step.result["correlation"] == configured["ticket"]
    assert step.result["reference"] == configured["ticket"]

    # a replayed callback changes nothing; a forged one is refused; another ticket for this step is a conflict
    client = APIClient()
    url = callback_url(step.idempotency_key)
    assert client.post(url, {"id": configured["ticket"], "status": "done"}, format="json").status_code == 200
    assert client.post(url[:-5] + "xxxx/", {"status": "done"}, format="json").status_code == 400
    assert client.post(url, {"id": "T99999", "status": "done"}, format="json").status_code == 409

    # recovery through the same element (the demo specification carries its recovery plan)
    recovery = service_order_issue(actor=actor, origin="recovery", items=[ServiceItemInput(
        item_id="1", action="delete", service_id=service.pk)])
    _wait(recovery, ServiceOrder.State.COMPLETED)
    service.refresh_from_db()
    assert service.state == Service.State.TERMINATED
    assert [c["body"]["operation"] for c in element.configured.values()] == ["activate", "recover"]


def test_the_elements_failure_callback_sends_the_step_to_fallout(live_server, settings):
    settings.BSS_ADAPTER_CALLBACK_BASE_URL = live_server.url
    stub = StubNetworkElement(port=0, delay=0.2, fail_steps=["ne-configure"]).start()
    try:
        spec = seed_http_demo(Actor.system("test"), url=f"{stub.url}/provision")
        so = service_order_issue(actor=Actor.system("test"), origin="api",
                                 items=[ServiceItemInput(item_id="1", specification_id=spec.pk)])
        step = WorkOrder.objects.get(item__service_order=so, code="ne-configure")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and step.status != "failed":
            time.sleep(0.1)
            step.refresh_from_db()
        assert step.status == "failed" and "refused" in step.last_error
        so.refresh_from_db()
        assert so.state == ServiceOrder.State.IN_PROGRESS  # in the fallout queue, waiting for a repair
        assert so.items.get().service.state == Service.State.RESERVED
    finally:
        stub.stop()


def test_run_stub_ne_serves_the_element_on_loopback():
    """``manage.py run_stub_ne``: what the demo runs beside ``make run``."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, str(root / "manage.py"), "run_stub_ne", "--port", str(port)],
                            cwd=root, env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/provision", method="POST",
                                             data=json.dumps({"step": "ne-configure"}).encode(),
                                             headers={"Content-Type": "application/json", "Idempotency-Key": "k1"})
                with urllib.request.urlopen(req, timeout=2) as resp:
                    answer = (resp.status, json.loads(resp.read()))
            except OSError:
                time.sleep(0.2)
        assert answer == (200, {"id": "T00001", "result": "ok", "repeated": False})
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/configured", timeout=2) as resp:
            assert [c["key"] for c in json.loads(resp.read())["configured"]] == ["k1"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
