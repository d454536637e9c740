"""The bot token, the API hash and service passwords never reach a log line or a Sentry payload."""

import asyncio
import io
import json
import logging

import pytest
import sentry_sdk
import structlog
from pydantic import SecretStr
from sentry_sdk.transport import Transport

from infrastructure.observability.logs import Redactor, configure_logging, secrets_of
from infrastructure.observability.sentry import close_sentry, init_sentry
from infrastructure.settings import Settings
from tests.observability.conftest import API_HASH, PG_PASSWORD, REDIS_PASSWORD, TOKEN

SENTRY_DSN = "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.invalid/42"
DSN = f"postgresql://chanwarden:{PG_PASSWORD}@db:5432/chanwarden"
REDIS_URL = f"redis://:{REDIS_PASSWORD}@cache:6379/0"
SECRETS = (TOKEN, API_HASH, PG_PASSWORD, REDIS_PASSWORD)


def settings(**changes) -> Settings:
    values = {
        "telegram_api_id": 1, "telegram_api_hash": SecretStr(API_HASH), "telegram_bot_token": SecretStr(TOKEN),
        "postgres_dsn": SecretStr(DSN), "redis_url": SecretStr(REDIS_URL), "sentry_dsn": SecretStr(SENTRY_DSN),
        "environment": "staging",
    }
    return Settings(**{**values, **changes})


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_the_redactor_masks_configured_values_and_any_url_password() -> None:
    redactor = Redactor(secrets_of(settings()))
    text = redactor.text(f"token={TOKEN} hash={API_HASH} {DSN} {REDIS_URL} amqp://u:other-pass@mq/ "
                         "postgresql://someone:unlisted@elsewhere/db 987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    for secret in (*SECRETS, "other-pass", "unlisted", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"):
        assert secret not in text
    assert "postgresql://chanwarden:***@db:5432/chanwarden" in text
    assert "redis://:***@cache:6379/0" in text


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_log_lines_never_show_a_secret(log_format, restore_logging) -> None:
    stream = io.StringIO()
    configure_logging(settings(log_format=log_format), stream)
    log = logging.getLogger("chanwarden.test")
    log.warning("connecting to %s and %s", DSN, REDIS_URL)
    log.info("login", extra={"token": TOKEN, "nested": {"hash": [API_HASH]}})
    try:
        raise ConnectionError(f"bot {TOKEN} refused by {DSN}")
    except ConnectionError:
        log.exception("startup failed")
    structlog.get_logger("chanwarden.test").error("structlog too", dsn=DSN)
    output = stream.getvalue()
    assert output.count("\n") >= 4 and "startup failed" in output and "ConnectionError" in output
    for secret in SECRETS:
        assert secret not in output
    if log_format == "json":
        assert all(json.loads(line)["level"] for line in output.splitlines() if line.startswith("{"))


class RecordingTransport(Transport):
    """Keeps envelopes instead of sending them: Sentry, proven offline."""

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self.envelopes: list[bytes] = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope.serialize())


async def test_sentry_events_are_scrubbed_and_tagged(restore_logging) -> None:
    transport = RecordingTransport()
    assert init_sentry(settings(), transport=transport) is not None
    try:
        logging.getLogger("chanwarden.test").warning("using %s", REDIS_URL)  # becomes a breadcrumb

        def connect(bot_token: str, dsn: str) -> None:
            api_hash = API_HASH  # a frame variable, reported with the stack
            raise RuntimeError(f"login with {bot_token} ({api_hash}) failed; store {dsn}")

        try:
            connect(TOKEN, DSN)
        except RuntimeError as error:
            sentry_sdk.set_extra("settings", {"redis": REDIS_URL, "token": TOKEN})
            sentry_sdk.capture_exception(error)

        async def background() -> None:
            raise ValueError(f"pump failed with {TOKEN}")

        task = asyncio.get_running_loop().create_task(background())  # reported by the asyncio integration
        await asyncio.gather(task, return_exceptions=True)
        sentry_sdk.flush()
    finally:
        close_sentry()
    payload = b"\n".join(transport.envelopes).decode()
    events = [json.loads(line) for line in payload.splitlines() if '"exception"' in line]
    assert len(events) == 2
    assert {e["exception"]["values"][-1]["type"] for e in events} == {"RuntimeError", "ValueError"}
    assert all(e["release"].startswith("chanwarden@") and e["environment"] == "staging" for e in events)
    assert "login with ***" in payload  # the message is kept, only the secret goes
    for secret in (*SECRETS, SENTRY_DSN):
        assert secret not in payload


def test_sentry_stays_off_without_a_dsn() -> None:
    assert init_sentry(settings(sentry_dsn=None)) is None
    assert init_sentry(settings(sentry_dsn=SecretStr(""))) is None
