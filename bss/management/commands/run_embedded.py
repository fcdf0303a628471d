"""The embedded default: one command, no external services.

Migrates the SQLite database, loads demo data, then runs the web server (gunicorn) and one
Celery worker with beat over kombu's filesystem transport. Ctrl-C stops both cleanly.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the whole BSS on this machine: web + Celery worker/beat, SQLite, demo data."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("BSS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("BSS_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="skip loading demo data")

    def handle(self, *args, host, port, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database ready: " + str(settings.DATABASES["default"]["NAME"]))
        if not no_demo:
            from bss.models import User

            if User.objects.filter(username="csr").exists():
                self.stdout.write("demo data present (manage.py seed_demo tops it up)")
            else:
                self.stdout.write("loading demo data (the first run takes a minute)…")
                call_command("seed_demo")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bss.settings", "BSS_BASE_URL": f"http://{host}:{port}",
               # DEBUG off, no technical pages; the settings' embedded block keeps plain http on this host working.
               "BSS_EMBEDDED": "1", "BSS_HOST": host,
               # Celery's root warning: the embedded run is a single-user development box, often a container
               # running as root; production runs the worker as its own user (docker-compose.yml).
               "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS", ""),
                                                        "ignore:You're running the worker with superuser"]))}
        bindir = os.path.dirname(sys.executable)
        web = [os.path.join(bindir, "gunicorn"), "bss.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", "2", "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"]
        worker = [os.path.join(bindir, "celery"), "-A", "bss", "worker", "--beat", "--loglevel", "INFO",
                  "--concurrency", "2", "-Q", ",".join(settings.BSS_QUEUES),
                  "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        procs = [subprocess.Popen(web, env=env), subprocess.Popen(worker, env=env)]
        self.stdout.write(self.style.SUCCESS(
            f"\nBSS is running at http://{host}:{port}/  (staff portal /csr/, self-service /my/, "
            f"admin /admin/, API docs /api/docs/)\n"
            "Demo logins, password 'demo': csr, supervisor, billing, provisioning, admin, customer "
            "(integrator: API only, token at /api/v1/auth/token/)\n"
            "Press Ctrl-C to stop. (Another port: make run ARGS='--port 8080', or BSS_PORT=8080.)\n"))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        # Ctrl-C reaches the children too (same process group): whatever they exit with then is a
        # stop, not a failure.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            stopping = True
        self.stdout.write("stopping…")
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.time() + 20
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
        failed = [p for p in procs if p.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed and not stopping:
            self.stderr.write("a process exited unexpectedly; see the log above")
            sys.exit(1)
        self.stdout.write("stopped.")
