"""bss.dispatch: a send after commit is tried once; after a broker failure the process leaves the broker alone
for BSS_BROKER_BACKOFF_SECONDS (the sweeps pick the work up), then tries again; in eager mode failures raise."""

import pytest

from bss import dispatch


class FakeTask:
    name = "fake.task"

    def __init__(self, *, eager=False, fail=False):
        self.sent, self.fail = [], fail
        self.app = type("App", (), {"conf": type("Conf", (), {"task_always_eager": eager})()})()

    def apply_async(self, args, **options):
        if self.fail:
            raise ConnectionError("broker unreachable")
        self.sent.append((args, options))


@pytest.fixture(autouse=True)
def _reset():
    dispatch.reset()
    yield
    dispatch.reset()


def test_a_send_is_tried_once_without_publish_retries():
    task = FakeTask()
    assert dispatch.send(task, 1, 2)
    assert task.sent == [((1, 2), {"retry": False})]


def test_after_a_failure_the_broker_is_left_alone_then_tried_again(settings, monkeypatch):
    settings.BSS_BROKER_BACKOFF_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr(dispatch.time, "monotonic", lambda: clock[0])
    down = FakeTask(fail=True)
    assert not dispatch.send(down, 1)  # logged, not raised: the committed request goes on
    assert dispatch.broker_backing_off()
    up = FakeTask()
    assert not dispatch.send(up, 2)  # not even tried while backing off
    assert up.sent == []
    clock[0] += 5.1
    assert dispatch.send(up, 3)
    assert up.sent == [((3,), {"retry": False})]


def test_in_eager_mode_a_failure_is_raised_and_never_backs_off():
    task = FakeTask(eager=True, fail=True)
    with pytest.raises(ConnectionError):
        dispatch.send(task, 1)
    assert not dispatch.broker_backing_off()


def test_send_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks, db):
    from django.db import transaction

    task = FakeTask()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        dispatch.send_on_commit(task, 7)
        assert task.sent == []
    assert task.sent == [((7,), {"retry": False})]
