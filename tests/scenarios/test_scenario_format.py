"""The scenario format's newer keys: each is read, acts on the world as documented, and can fail."""

from pathlib import Path

import pytest
import yaml

from entrypoints.scenarios.model import ScenarioError, load
from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings

WORLD = {
    "channels": [{"id": 1001, "username": "news", "title": "News"}],
    "groups": [{"id": 2001, "title": "Chat", "creator": 11, "admins": [10], "members": [1, 50],
                "username": "chat"}],
    "users": [{"id": 1, "name": "Alice", "subscribed": [1001]}, {"id": 10, "name": "Admin"},
              {"id": 11, "name": "Owner"}, {"id": 50, "name": "Helper", "bot": True}, {"id": 3, "name": "Carol"}],
}


def scenario(tmp_path: Path, steps: list[dict], world: dict | None = None) -> Path:
    path = tmp_path / "story.yaml"
    path.write_text(yaml.safe_dump({"world": world or WORLD, "steps": steps}))
    return path


async def played(path: Path) -> list[tuple[bool, str]]:
    report = await ScenarioRun(load(path), Settings(event_store="memory")).run()
    return [(s.ok, s.detail) for s in report.steps]


async def test_world_and_people_steps_act_as_documented(tmp_path: Path) -> None:
    steps = [
        {"do": "message", "chat": 2001, "from": 50, "text": "beep", "ref": "beep"},
        {"do": "edit", "ref": "beep", "text": "boop"},
        {"do": "restrict", "chat": 2001, "user": 1, "by": 10, "rights": ["send_photos"], "until": 3600},
        {"expect": "can_write", "chat": 2001, "user": 1, "kind": "photo", "value": False},
        {"do": "wait", "seconds": 3600},
        {"expect": "can_write", "chat": 2001, "user": 1, "kind": "photo", "value": True},
        {"do": "promote", "chat": 2001, "user": 1, "by": 11},
        {"do": "demote", "chat": 2001, "user": 1, "by": 11},
        {"do": "ban", "chat": 2001, "user": 1, "by": 10, "until": 60},
        {"do": "join", "chat": 2001, "user": 1},
        {"do": "wait", "seconds": 60},
        {"do": "join", "chat": 2001, "user": 1},
        {"expect": "can_write", "chat": 2001, "user": 1, "value": True},
        {"do": "make_private", "chat": 1001},
        {"do": "remove_bot", "chat": 1001},
    ]
    outcomes = await played(scenario(tmp_path, steps))
    assert all(ok for ok, _ in outcomes), outcomes
    assert outcomes[1][1].startswith("edited message")
    assert outcomes[9][1].startswith("refused: Alice is banned")  # the ban holds until it ends


@pytest.mark.parametrize(
    ("step", "refusal"),
    [
        ({"do": "restrict", "chat": 2001, "user": 3, "by": 10}, "refused: USER_NOT_PARTICIPANT"),
        ({"do": "restrict", "chat": 2001, "user": 10, "by": 11}, "refused: USER_ADMIN_INVALID"),
        ({"do": "ban", "chat": 2001, "user": 1, "by": 3}, "refused: Carol is not an admin"),
        ({"do": "demote", "chat": 2001, "user": 11, "by": 10}, "refused: Owner created Chat"),
        ({"do": "join", "chat": 1001, "user": 50}, "refused: Helper is a bot"),
    ],
)
async def test_a_step_telegram_would_refuse_passes_and_says_why(tmp_path: Path, step: dict, refusal: str) -> None:
    [(ok, detail)] = await played(scenario(tmp_path, [step]))
    assert ok and detail.startswith(refusal), detail


async def test_not_contains_and_an_exact_event_count_fail_when_they_should(tmp_path: Path) -> None:
    steps = [
        {"do": "command", "chat": 2001, "from": 10, "text": "/protect @news"},
        {"do": "join", "chat": 2001, "user": 3},
        {"expect": "bot_messages", "chat": 2001, "not_contains": "Carol"},
        {"expect": "bot_messages", "chat": 2001, "not_contains": "Dave"},
        {"expect": "event", "type": "MemberRestricted", "chat": 2001, "user": 3, "count": 2},
        {"expect": "event", "type": "MemberRestricted", "chat": 2001, "user": 3, "count": 1},
        {"expect": "event", "type": "Protected", "count": 1},
    ]
    outcomes = await played(scenario(tmp_path, steps))
    assert [ok for ok, _ in outcomes[2:]] == [False, True, False, True, True]
    assert outcomes[4][1] == "count=1"


def test_a_bot_that_follows_channels_is_a_mistake_in_the_file(tmp_path: Path) -> None:
    world = {**WORLD, "users": [{"id": 50, "name": "Helper", "bot": True, "subscribed": [1001]}]}
    with pytest.raises(ScenarioError, match="a bot cannot join channels"):
        load(scenario(tmp_path, [], world))
