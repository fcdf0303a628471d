# Each area registers its admin classes in its own module (admin_<area>.py); import them here.
from .admin_catalog import *  # noqa
from .admin_credit import *  # noqa
from .admin_feasibility import *  # noqa
