"""No secret leaks: the bot token, the API hash, the database password and the callback secret never
appear in a log line, in anything shown to people (messages, button answers, private messages), or in
the event log itself. Two runs: the real `chanwarden run` process on SQLite (stdout and stderr, every
file it wrote), and a scenario in this process on PostgreSQL and Redis (every log record, the events).
"""

import asyncio
import json
import logging
from pathlib import Path

from adapters.postgres import PostgresEventStore
from adapters.redis import unlink_under
from adapters.simulated_telegram.model import Person, Sender
from adapters.simulated_telegram.remote.server import WorldServer
from entrypoints.scenarios.model import Scenario
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.reliability.bot_process import BotProcess, bot_env
from tests.reliability.raid_driver import CHANNEL, GROUP, OWNER, raid_world, token_member

TOKEN = "7913485520:AAHx9Zq_secret-token-value-0123456789"
API_HASH = "f00dfacecafe0123456789abcdef4242"
PASSWORD = "s3cret-pass"
CALLBACK_SECRET = "callback-secret-f7a9c2"
SECRETS = (TOKEN, API_HASH, PASSWORD, CALLBACK_SECRET)
DSN = f"postgresql://postgres:{PASSWORD}@127.0.0.1:5432/chanwarden_secrets"  # trust auth ignores the password
STEPS = [  # a bit of everything that writes text: replies, refusals, warnings, button answers, failures
    {"do": "command", "chat": GROUP, "from": OWNER, "text": "/protect @news"},
    {"do": "command", "chat": GROUP, "from": OWNER, "text": "/settings loudness 11"},
    {"do": "command", "chat": GROUP, "from": 2, "text": "/unprotect"},
    {"do": "message", "chat": GROUP, "from": 2, "text": "hello"},
    {"do": "click", "chat": GROUP, "user": 1, "target": 2},
    {"do": "join", "chat": CHANNEL, "user": 2, "silent": True},
    {"do": "fault", "method": "get_participant", "error": "internal", "chat": CHANNEL},
    {"do": "click", "chat": GROUP, "user": 2},
    {"do": "click", "chat": GROUP, "user": 2},
    {"do": "raid", "chat": GROUP, "count": 12, "seconds": 5, "subscribed_to": [CHANNEL]},
    {"do": "command", "chat": GROUP, "from": OWNER, "text": "/status"},
]


def leaks(where: str, found: bytes | str) -> list[str]:
    data = found.encode(errors="replace") if isinstance(found, str) else found
    return [f"{where} holds {secret[:6]}…" for secret in SECRETS if secret.encode() in data]


def shown(world, answers) -> str:
    """Everything people saw: the bot's messages (buttons included), button answers, private messages."""
    texts = [json.dumps([m.text, m.buttons], default=str) for c in world.chats.values() for m in c.messages.values()
             if m.from_bot]
    return "\n".join(texts + [a for _, a in answers] + [t for ts in world.private_messages.values() for t in ts])


async def test_the_running_bot_leaks_no_secret(tmp_path: Path) -> None:
    server = await WorldServer(raid_world()).start()
    env = bot_env(tmp_path, f"127.0.0.1:{server.port}", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_HASH=API_HASH,
                  CHANWARDEN_CALLBACK_SECRET=CALLBACK_SECRET, CHANWARDEN_POSTGRES_DSN=DSN,
                  CHANWARDEN_LOG_LEVEL="DEBUG")
    bot = BotProcess(tmp_path, env)
    try:
        await bot.start()
        server.act(lambda w: w.post(GROUP, Sender("user", OWNER), "text", "/protect @news"))
        server.act(lambda w: w.post(GROUP, Sender("user", OWNER), "text", "/settings strict maybe"))
        for member in (2, 300, 301):
            server.world.people.setdefault(member, Person(member, f"Person {member}"))
            server.act(lambda w, m=member: w.join(GROUP, m))
        button = None
        for _ in range(200):  # until the bot has warned member 300 (it starts in a second or two)
            button = next(((m.id, b["data"]) for m in server.world.live_bot_messages(GROUP) for row in m.buttons
                           for b in row if b.get("data") and token_member(b["data"]) in (300, 0)), None)
            if button is not None:
                break
            await asyncio.sleep(0.1)
        assert button is not None, bot.output()[-2000:]
        for member in (300, 1):  # a member's own button, then someone else pressing it
            server.act(lambda w, m=member: w.press(GROUP, m, *button))
        for _ in range(100):
            if len(server.sender.callback_answers) == 2:
                break
            await asyncio.sleep(0.1)
        assert await bot.stop() == 0, bot.output()[-2000:]
    finally:
        if bot.running:
            await bot.kill()
        await server.close()
    assert server.sender.callback_answers, "no button was pressed: the scan would miss callback answers"
    found = leaks("the bot's output", bot.output())
    found += leaks("what people saw", shown(server.world, server.sender.callback_answers))
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "bot.log":
            found += leaks(path.name, path.read_bytes())
    assert not found, found


async def test_a_scenario_on_postgres_and_redis_leaks_no_secret(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = Scenario.model_validate({"name": "secrets", "world": {
        "channels": [{"id": CHANNEL, "username": "news", "title": "News"}],
        "groups": [{"id": GROUP, "title": "Chat", "creator": OWNER, "members": [1, 2]}],
        "users": [{"id": 1, "name": "Alice", "subscribed": [CHANNEL]}, {"id": 2, "name": "Bob"},
                  {"id": OWNER, "name": "Owner"}]}, "steps": STEPS})
    settings = Settings(event_store="postgres", postgres_dsn=DSN, cache="redis", callback_secret=CALLBACK_SECRET,
                        telegram_bot_token=TOKEN, telegram_api_hash=API_HASH, telegram_api_id=1)
    run = ScenarioRun(scenario, settings, keep=True)
    report = await run.run()
    try:
        answers = run.telegram.callback_answers
        assert answers and report.bot_messages, "nothing was shown: the scan would prove nothing"
        found = leaks("the log records", caplog.text) + leaks("the report", json.dumps(report.to_dict(), default=str))
        found += leaks("what people saw", shown(run.world, answers))
        store = await PostgresEventStore.open(run._run_settings.postgres_dsn.get_secret_value())
        rows = await store.read_all_stored(after=0, limit=100_000)
        await store.close()
        assert rows
        found += leaks("the event log", b"".join(e.topic.encode() + bytes(e.state) for _, e, _ in rows))
        found += await redis_leaks(run._run_settings)
    finally:
        await run.discard()
    assert not found, found


async def redis_leaks(settings: Settings) -> list[str]:
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url.get_secret_value())
    try:
        found = []
        async for key in client.scan_iter(match=f"{settings.redis_prefix}*"):
            value = await client.dump(key)
            found += leaks(f"redis {key!r}", key + (value or b""))
        await unlink_under(client, settings.redis_prefix, 5.0)
        return found
    finally:
        await client.aclose()
