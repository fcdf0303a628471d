"""Test-only middlewares placed right after IdempotencyMiddleware (inside it) to steer the view."""

import threading

from django.http import JsonResponse


class FailOnce:
    """The first request answers 500 (as a crashed view would); later ones run normally."""

    failed = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not FailOnce.failed:
            FailOnce.failed = True
            return JsonResponse({"detail": "boom"}, status=500)
        return self.get_response(request)


class Answer:
    """Answers every request with ``status`` without running the view."""

    status = 429

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return JsonResponse({"detail": "not now"}, status=Answer.status)


class Nested:
    """While the first request runs, ``during(request)`` is called (e.g. sends the same request again)."""

    during = None
    results = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if Nested.during is not None:
            during, Nested.during = Nested.during, None
            Nested.results.append(during(request))
        return response


class Hold:
    """Holds each request (after the view ran and committed) until ``release`` is set."""

    entered = threading.Event()
    release = threading.Event()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        Hold.entered.set()
        Hold.release.wait(timeout=30)
        return response
