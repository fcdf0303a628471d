"""Run the stub network element of the HTTP adapter demo (service_activation.stub.ne) on loopback.

    manage.py run_stub_ne --port 8099 --delay 1

The demo service specification ``http-demo-line`` (service_activation.demo) sends its activation step to
settings.BSS_STUB_NE_URL (default http://127.0.0.1:8099/provision); the element calls back to
settings.BSS_ADAPTER_CALLBACK_BASE_URL."""

from django.core.management.base import BaseCommand

from service_activation.stub.ne import StubNetworkElement


class Command(BaseCommand):
    help = "Run the stub network element the HTTP adapter demo talks to."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8099)
        parser.add_argument("--delay", type=float, default=1.0, help="seconds before the asynchronous callback")
        parser.add_argument("--fail-step", action="append", default=[], help="a step code the element refuses")

    def handle(self, *args, host, port, delay, fail_step, **options):
        element = StubNetworkElement(host=host, port=port, delay=delay, fail_steps=fail_step)
        self.stdout.write(f"stub network element on {element.url} (callback after {delay:g} s); Ctrl-C stops it")
        try:
            element.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            element.stop()
