from rest_framework.routers import SimpleRouter

from .hub import hub_viewset


class TmfRouter(SimpleRouter):
    """Resource paths answer with and without a trailing slash (no redirect)."""

    def __init__(self, api_name: str):
        super().__init__()
        self.trailing_slash = "/?"
        self.register("hub", hub_viewset(api_name), basename="hub")
