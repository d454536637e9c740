"""Structured log lines: JSON in production, readable on a console, and never a secret in either.

The code base logs through the standard library; structlog's ProcessorFormatter renders those records, so every
line gets the update's group, user and update ids (set by the gatekeeper decorator in UPDATE), the event positions
it recorded, and the trace id, whichever library wrote it.
"""

import logging
import re
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import unquote, urlsplit

import structlog
from opentelemetry import trace

MASK = "***"
# user:password@ in any URL (postgresql://user:pass@host, redis://:pass@host), whatever the configured values.
URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.IGNORECASE)
BOT_TOKEN = re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}\b")  # the shape BotFather hands out
MIN_SECRET = 4  # shorter values would mask ordinary words; the URL pattern still catches short passwords


@dataclass
class _Count:
    value: int = 0


ERROR_RECORDS = _Count()  # process-wide: logging is configured once per process, not once per container
# The update being handled: kind, group, user, update id, trace id, recorded event positions. One variable set
# once per update, rather than one per field: the cheaper choice on the hot path.
UPDATE: ContextVar[dict[str, Any] | None] = ContextVar("chanwarden_update", default=None)


class Redactor:
    """Masks every configured secret value and every URL password in strings, however deeply nested."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return BOT_TOKEN.sub(MASK, URL_PASSWORD.sub(rf"\1{MASK}@", value))

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.walk(item) for item in value)
        return value

    def processor(self, _logger: Any, _method: str, event_dict: Any) -> Any:
        """A structlog processor; also applied to the rendered line, which catches reprs and tracebacks."""
        return self.walk(event_dict)


def secrets_of(settings: Any) -> list[str]:
    """The values of every secret setting, and the passwords inside the configured service URLs."""
    values = []
    for name in ("telegram_bot_token", "telegram_api_hash", "callback_secret", "audit_key", "sentry_dsn"):
        secret = getattr(settings, name, None)
        if secret is not None:
            values.append(secret.get_secret_value())
    for name in ("postgres_dsn", "redis_url", "sentry_dsn"):
        secret = getattr(settings, name, None)
        parts = urlsplit(secret.get_secret_value()) if secret is not None else None
        for part in (parts.password, parts.username if name == "sentry_dsn" else None) if parts else ():
            if part:
                values.extend({part, unquote(part)})
    return values


def add_update_fields(_logger: Any, _method: str, event_dict: Any) -> Any:
    for key, value in (UPDATE.get() or {}).items():
        event_dict.setdefault(key, value)
    return event_dict


def add_trace_ids(_logger: Any, _method: str, event_dict: Any) -> Any:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:  # a recorded span: its ids, so a log line leads to the span
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


class _CountErrors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            ERROR_RECORDS.value += 1
        return True


def configure_logging(settings: Any, stream: TextIO | None = None) -> logging.Handler:
    """Route all logging through one redacting structlog formatter; returns the handler (tests remove it)."""
    redactor = Redactor(secrets_of(settings))
    shared = [
        structlog.contextvars.merge_contextvars,
        add_update_fields,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        add_trace_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if settings.log_format == "json":
        rendering = [structlog.processors.format_exc_info, redactor.processor, structlog.processors.JSONRenderer()]
    else:
        # Plain tracebacks: a pretty one may wrap a secret across two lines, out of the redactor's reach.
        console = structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
        rendering = [redactor.processor, console]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *rendering,
            lambda _logger, _method, line: redactor.text(line),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_CountErrors())
    handler.set_name("chanwarden")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "chanwarden"]:
        root.removeHandler(old)  # configuring twice (a test, a restart) must not print every line twice
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler
