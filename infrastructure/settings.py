"""Settings from the environment (and a .env file): one typed place for every knob."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHANWARDEN_", env_file=".env", extra="ignore", populate_by_name=True)

    event_store: Literal["memory", "sqlite", "postgres"] = "sqlite"
    sqlite_path: Path = Path(".chanwarden/events.db")
    postgres_dsn: SecretStr = SecretStr("postgresql://postgres@127.0.0.1:5432/chanwarden")
    cache: Literal["memory", "redis"] = "memory"
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    redis_prefix: str = "chanwarden:"
    cache_positive_ttl: float = Field(600.0, gt=0)
    cache_negative_ttl: float = Field(60.0, gt=0)
    cache_jitter: float = Field(0.15, ge=0, lt=1)
    # Signs Verify buttons. Set it in production so buttons survive restarts and cannot be forged.
    callback_secret: SecretStr = SecretStr("chanwarden-development-secret")

    # Telegram, under the names Telegram's own tools use.
    telegram_api_id: int | None = Field(None, validation_alias="TELEGRAM_API_ID")
    telegram_api_hash: SecretStr | None = Field(None, validation_alias="TELEGRAM_API_HASH")
    telegram_bot_token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    # The session file keeps the login and the update state, so a restart catches up on what it missed.
    session_path: Path = Path(".chanwarden/bot.session")
    # How often the bot looks for work it was not poked about (a recovered Redis, another instance's events).
    pump_interval: float = Field(5.0, gt=0)
    # Test-only: run against a simulated world described by this scenario file instead of Telegram.
    offline_scenario: Path | None = None
