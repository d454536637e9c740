"""What docs/operations.md says about passwords in the URLs docker-compose.yml builds is true: the characters it
says work reach PostgreSQL's and Redis's drivers intact through compose's URL templates, those it says break do
break them, percent-encoding mends them where a URL is written by hand, and the logs mask the password each time."""

import inspect
import re
from urllib.parse import quote, urlsplit

import pytest
from asyncpg import connect_utils
from redis.connection import parse_url

from infrastructure.observability.logs import Redactor, secrets_of
from infrastructure.settings import Settings
from tests.observability.conftest import ROOT
from tests.observability.test_deploy_files import BOT_ENV

RUNBOOK = (ROOT / "docs" / "operations.md").read_text()


def row(starts: str) -> str:
    """The characters listed, in backquotes, in the first cell of the password table's row that starts so."""
    cell = next(line.split(" | ")[0] for line in RUNBOOK.splitlines() if line.startswith(f"| {starts}"))
    return "".join(re.findall(r"`([^`]+)`", cell)).replace(" ", "").replace("\\|", "|")


def compose_url(variable: str, password: str) -> str:
    """The URL docker-compose.yml builds for a variable, with `password` filled in."""
    template = {"CHANWARDEN_POSTGRES_DSN": "POSTGRES_PASSWORD", "CHANWARDEN_REDIS_URL": "REDIS_PASSWORD"}[variable]
    return re.sub(r"\$\{" + template + r"[^}]*\}", lambda _: password, BOT_ENV[variable])


def drivers_read(dsn: str, redis_url: str) -> tuple:
    """(password, host) as asyncpg, redis-py and chanwarden's own URL handling read them; None where they refuse."""
    wanted = inspect.signature(connect_utils._parse_connect_dsn_and_args).parameters  # asyncpg's DSN parser
    try:
        addresses, params = connect_utils._parse_connect_dsn_and_args(**{**dict.fromkeys(wanted), "dsn": dsn})[:2]
        postgres = (params.password, addresses[0][0])
    except Exception:
        postgres = None
    try:
        found = parse_url(redis_url)
        redis = (found.get("password"), found.get("host"))
    except Exception:
        redis = None
    try:
        ours = (urlsplit(dsn).password, urlsplit(dsn).hostname)
    except ValueError:
        ours = None
    return postgres, redis, ours


WORKING = row("letters").replace("letters,digitsand", "") + row("`!")
BREAKING = row("`#")


def test_the_table_lists_the_characters_it_is_about() -> None:
    assert WORKING == "-._~!&()*+,;=:^{}|<>" and BREAKING == "#%/?@[]"


@pytest.mark.parametrize("character", list(WORKING))
def test_a_character_said_to_work_reaches_both_drivers_intact_and_is_masked(character) -> None:
    password = f"Pw{character}0rd{character}"
    dsn = compose_url("CHANWARDEN_POSTGRES_DSN", password)
    redis_url = compose_url("CHANWARDEN_REDIS_URL", password)
    assert drivers_read(dsn, redis_url) == ((password, "postgres"), (password, "redis"), (password, "postgres"))
    settings = Settings(postgres_dsn=dsn, redis_url=redis_url)
    line = Redactor(secrets_of(settings)).text(f"connect to {dsn} and {redis_url} failed")
    assert password not in line


@pytest.mark.parametrize("character", list(BREAKING))
def test_a_character_said_to_break_does_and_percent_encoding_mends_it(character) -> None:
    password = f"Pw{character}41rd"  # "%41" is how "A" is percent-encoded: a "%" followed by hex digits is read so
    assert drivers_read(compose_url("CHANWARDEN_POSTGRES_DSN", password),
                        compose_url("CHANWARDEN_REDIS_URL", password)) != (
        (password, "postgres"), (password, "redis"), (password, "postgres"))
    encoded = quote(password, safe="")  # as the runbook's one-liner does
    dsn = f"postgresql://chanwarden:{encoded}@postgres:5432/chanwarden"
    redis_url = f"redis://:{encoded}@redis:6379/0"
    postgres, redis, _ = drivers_read(dsn, redis_url)
    assert postgres == (password, "postgres") and redis == (password, "redis")
    line = Redactor(secrets_of(Settings(postgres_dsn=dsn, redis_url=redis_url))).text(f"{dsn} {redis_url}")
    assert encoded not in line and password not in line


def test_the_runbook_s_encoding_example_is_what_the_one_liner_prints() -> None:
    assert "p%40ss%2Fw%23rd" in RUNBOOK and quote("p@ss/w#rd", safe="") == "p%40ss%2Fw%23rd"
