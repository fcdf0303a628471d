"""Bureau adapters for tests (selected through settings.BSS_CREDIT_BUREAU by dotted path)."""

from django.db import connection

from orders.credit import BureauResponse, BureauUnavailable


class RecordingBureau:
    """A bureau adapter for tests: approves with score 777 and records each request together
    with whether a database transaction was open while it was asked."""

    name = "recording-test"
    calls: list = []

    def assess(self, request):
        RecordingBureau.calls.append((request, connection.in_atomic_block))
        return BureauResponse(outcome="approve", score=777, reference="REC-1", reason="test bureau")


class DownBureau:
    name = "down-test"

    def assess(self, request):
        raise BureauUnavailable("connection refused")


RECORDING = "tests.orders.bureaus.RecordingBureau"
DOWN = "tests.orders.bureaus.DownBureau"
