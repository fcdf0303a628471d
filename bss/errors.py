"""Domain errors raised by services; each front door maps them to its own shape."""


class ApplicationError(Exception):
    """A request that is well-formed but cannot be done now (state conflict): HTTP 409."""

    status_code = 409
    default_code = "invalid_state"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}


class BusinessRuleViolation(ApplicationError):
    """Semantically invalid data (a business rule refuses it): HTTP 422."""

    status_code = 422
    default_code = "business_rule"


class DomainValidationError(ApplicationError):
    """Invalid input detected by a service, with per-field messages: HTTP 400."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, field_errors: dict[str, list[str] | str], message: str = "Invalid input"):
        errs = {k: v if isinstance(v, list) else [v] for k, v in field_errors.items()}
        super().__init__(message, extra={"fields": errs})
        self.field_errors = errs


class ConcurrentUpdate(ApplicationError):
    default_code = "concurrent_update"
