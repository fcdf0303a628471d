"""The official TM Forum CTKs (newman) against a live test server, through the token-adding proxy that stands
in for an integrator's API gateway (scripts/ctk.py, docs/ctk.md).

Without newman (`npm ci`) or the kits (bss/tmf/ctk, or BSS_CTK_DIR) these tests skip, unless
BSS_REQUIRE_CTK=1 (CI), where they fail.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from bss.roles import Role
from tests.factories import staff_user

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ctk.py"


def _load_ctk():
    spec = importlib.util.spec_from_file_location("bss_ctk_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _unavailable(reason: str):
    if os.environ.get("BSS_REQUIRE_CTK") == "1":
        pytest.fail(f"CTK required (BSS_REQUIRE_CTK=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def ctk():
    """scripts/ctk.py as a module, once newman and the kits are known to be there."""
    module = _load_ctk()
    if module.newman_command() is None:
        _unavailable("newman is not installed (run `npm ci`; needs node and npx)")
    for kit in module.KITS.values():
        if not (module.ctk_dir() / kit.collection).exists():
            _unavailable(f"the {kit.name} kit is not at {module.ctk_dir() / kit.collection} (set BSS_CTK_DIR)")
    return module


@pytest.fixture
def gateway(ctk, live_server, transactional_db):
    """The integrator's API gateway: a loopback proxy adding an integrator's token to every kit request."""
    token = Token.objects.create(user=staff_user(Role.INTEGRATOR))
    with ctk.TokenProxy(live_server.url, token.key) as proxy:
        yield proxy
