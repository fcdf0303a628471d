"""Bench-only settings: the product's settings plus the bare "twin" endpoints (bench/urls.py).

The twins never ship in the product: only a server started with
DJANGO_SETTINGS_MODULE=bench.settings (bench/run.py does it) serves them.
"""

from bss.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The benchmark talks plain HTTP to 127.0.0.1 (no TLS terminator in front of gunicorn).
SECURE_SSL_REDIRECT = False
