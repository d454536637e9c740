"""Error reporting to Sentry, on only when SENTRY_DSN is set, and scrubbed before anything leaves the process."""

import re
from typing import Any

from infrastructure.observability.logs import Redactor, secrets_of
from infrastructure.version import VERSION

FILTERED = "[Filtered]"
# Keys whose values are dropped whatever they hold: a secret may be one the settings never heard of.
SENSITIVE_KEY = re.compile(r"token|hash|secret|passw|dsn|authorization|cookie|(api|audit)_?key|session", re.IGNORECASE)


def scrubber(redactor: Redactor) -> Any:
    """A before_send hook: masks configured secrets and URL passwords everywhere, and drops sensitive keys.

    The event is already serialised to plain data when the hook runs, so walking it reaches frame variables,
    breadcrumbs (log lines) and exception messages alike.
    """

    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: FILTERED if isinstance(k, str) and SENSITIVE_KEY.search(k) and isinstance(v, str) and v
                    else scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [scrub(item) for item in value]
        return redactor.text(value) if isinstance(value, str) else value

    def before_send(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
        return scrub(event)

    return before_send


def init_sentry(settings: Any, transport: Any = None) -> Any:
    """Start the Sentry client if a DSN is configured; call it inside the running event loop.

    The asyncio integration patches the running loop's task factory, so errors in background tasks (the event
    pump, the rate limiter's dispatcher) are reported too. `transport` lets tests record envelopes offline.
    """
    if settings.sentry_dsn is None or not settings.sentry_dsn.get_secret_value():
        return None  # compose passes SENTRY_DSN through even when it is unset, as an empty string
    import sentry_sdk
    from sentry_sdk.integrations.asyncio import AsyncioIntegration

    return sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        release=f"chanwarden@{VERSION}",
        environment=settings.environment,
        integrations=[AsyncioIntegration()],
        before_send=scrubber(Redactor(secrets_of(settings))),
        transport=transport,
    )


def close_sentry(timeout: float = 2.0) -> None:
    """Send what is queued (within `timeout`), then stop the client."""
    import sentry_sdk

    sentry_sdk.get_client().close(timeout=timeout)
