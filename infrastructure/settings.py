"""Settings from the environment (and a .env file): one typed place for every knob."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "chanwarden-development-secret"  # public, in this file: `chanwarden run` refuses it in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHANWARDEN_", env_file=".env", extra="ignore", populate_by_name=True)

    event_store: Literal["memory", "sqlite", "postgres"] = "sqlite"
    sqlite_path: Path = Path(".chanwarden/events.db")
    postgres_dsn: SecretStr = SecretStr("postgresql://postgres@127.0.0.1:5432/chanwarden")
    cache: Literal["memory", "redis"] = "memory"
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    redis_prefix: str = "chanwarden:"
    # Who keeps the Redis read models up with the log: the bot itself, or `chanwarden projections follow`
    # running beside it ("separate"), which takes that work off the bot's core.
    shared_projection: Literal["in_process", "separate"] = "in_process"
    # A subscription is trusted until Telegram reports a change; this re-check is for a change never reported.
    cache_positive_ttl: float = Field(21_600.0, gt=0)
    cache_negative_ttl: float = Field(60.0, gt=0)
    cache_jitter: float = Field(0.15, ge=0, lt=1)
    # Signs Verify buttons. Set it in production so buttons survive restarts and cannot be forged.
    callback_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    # Keys the log chain (HMAC-SHA-256, infrastructure/log_chain.py), so that whoever can write the database but
    # lacks the key cannot forge events or a chain that verifies. Unset: the chain is unkeyed.
    audit_key: SecretStr | None = None

    # Telegram, under the names Telegram's own tools use.
    telegram_api_id: int | None = Field(None, validation_alias="TELEGRAM_API_ID")
    telegram_api_hash: SecretStr | None = Field(None, validation_alias="TELEGRAM_API_HASH")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    # The session file keeps the login and the update state, so a restart catches up on what it missed.
    session_path: Path = Path(".chanwarden/bot.session")
    # Updates that came while the event store could not take them, kept until it can. Unset: beside the session,
    # since both hold what Telegram was told is handled and belong on the same disk.
    spool_path: Path | None = None
    # How often the bot looks for work it was not poked about (a recovered Redis, another instance's events).
    pump_interval: float = Field(5.0, gt=0)

    # Observability. Instrumentation wraps every port in a metrics-and-spans decorator; off leaves bare adapters.
    instrument: bool = True
    metrics_port: int = Field(9464, ge=0, le=65535)  # /metrics, and /healthz and /readyz unless health_port; 0: off
    health_port: int = Field(0, ge=0, le=65535)  # a separate port for /healthz and /readyz; 0: on the metrics port
    # /metrics, /healthz and /readyz of `chanwarden projections follow`, a port of its own so that it can run
    # beside a bot on one host; 0: off.
    projections_port: int = Field(9465, ge=0, le=65535)
    # Loopback by default, so a laptop run exposes nothing; the container image listens on every interface.
    http_host: str = "127.0.0.1"
    # Spans: off (every update still gets a trace id for its log lines), console (JSON on stdout), or otlp (to the
    # collector at OTEL_EXPORTER_OTLP_ENDPOINT, read from the environment by OpenTelemetry's exporter).
    traces: Literal["off", "console", "otlp"] = "off"
    log_format: Literal["console", "json"] = "console"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    environment: str = "development"  # tags Sentry events and the metrics' target_info
    sentry_dsn: SecretStr | None = Field(None, validation_alias="SENTRY_DSN")

    @field_validator("spool_path", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `CHANWARDEN_SPOOL_PATH=` would otherwise mean the current folder.
        return None if value == "" else value

    @property
    def spool_file(self) -> Path:
        return self.spool_path or self.session_path.parent / "spool.db"
