"""The scenario file format (documented in docs/scenarios.md). Names here are a contract: extend, never rename."""

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BotSpec(Strict):
    id: int = 999


class ChannelSpec(Strict):
    id: int
    title: str
    username: str | None = None
    private: bool = False
    linked_to: int | None = None
    bot_admin: bool = True
    admins: list[int] = []
    bot_rights: list[str] | None = None  # the bot's admin rights here (Telegram's names); none: the usual five


class GroupSpec(Strict):
    id: int
    title: str
    creator: int
    admins: list[int] = []
    members: list[int] = []
    bot_admin: bool = True
    bot_rights: list[str] | None = None  # the bot's admin rights here (Telegram's names); none: the usual five
    username: str | None = None  # a public group; with join requests its requests come through the username


class UserSpec(Strict):
    id: int
    name: str
    subscribed: list[int] = []
    bot: bool = False  # another bot account: it may be in groups but cannot join channels
    username: str | None = None  # a public @username (an admin may name them by it, as in /exempt @alice)
    lang: str | None = None  # their app's language (Telegram's lang_code, e.g. ru, es, pt-br): the bot answers in it

    @model_validator(mode="after")
    def _bots_follow_nothing(self) -> "UserSpec":
        if self.bot and self.subscribed:
            raise ValueError("a bot cannot join channels: leave 'subscribed' empty")
        return self


class WorldSpec(Strict):
    bot: BotSpec = BotSpec()
    channels: list[ChannelSpec] = []
    groups: list[GroupSpec] = []
    users: list[UserSpec] = []


Peer = int | Literal["anonymous_admin", "linked_channel"] | dict[str, int]


class Command(Strict):
    do: Literal["command"]
    chat: int
    text: str
    from_: Peer = Field(alias="from")
    reply_to: str | None = None
    ref: str | None = None


class Message(Strict):
    do: Literal["message"]
    chat: int
    from_: Peer = Field(alias="from")
    kind: Literal["text", "photo", "video", "sticker", "gif", "voice", "audio", "document", "poll"] = "text"
    text: str = ""
    ref: str | None = None
    forwarded_from: int | None = None


class Edit(Strict):
    """The sender of an earlier message (named by its ref) edits it."""

    do: Literal["edit"]
    ref: str
    text: str = ""
    kind: Literal["text", "photo", "video", "sticker", "gif", "voice", "audio", "document", "poll"] | None = None


class Membership(Strict):
    do: Literal["join", "leave", "ban", "unban"]
    chat: int
    user: int
    via: Literal["link", "added", "request"] = "link"
    by: int | None = None
    silent: bool = False  # Telegram's join/leave updates are lossy: with silent the bot is not told
    until: float | None = Field(None, ge=0)  # ban only: seconds from now until the ban ends (none: never)


class Promotion(Strict):
    """An admin of the chat makes `user` an admin, or takes that back."""

    do: Literal["promote", "demote"]
    chat: int
    user: int
    by: int


class ChatStep(Strict):
    """Something done to a whole chat: the bot removed from it, or its username removed."""

    do: Literal["remove_bot", "make_private"]
    chat: int


class Click(Strict):
    do: Literal["click"]
    chat: int
    user: int
    button: Literal["verify", "why"] = "verify"
    target: int | None = None


class Private(Strict):
    """A person writes to the bot in a private chat (a command such as /why)."""

    do: Literal["private"]
    from_: int = Field(alias="from")
    text: str


# The longest a step may let simulated time pass: far beyond any scenario, well within what a clock can add.
MAX_SECONDS = 10 * 365.25 * 24 * 3600


class Wait(Strict):
    do: Literal["wait"]
    seconds: float = Field(ge=0, le=MAX_SECONDS)


class Restart(Strict):
    do: Literal["restart"]


class Stop(Strict):
    """The bot goes down: the world goes on, and its updates wait for the next restart (Telegram's catch-up)."""

    do: Literal["stop"]


class FaultStep(Strict):
    do: Literal["fault"]
    method: str
    error: Literal["flood_wait", "timeout", "not_admin", "internal"]
    count: int = Field(1, ge=1)
    chat: int | None = None
    seconds: float = Field(0.0, le=MAX_SECONDS)


class BotRightsStep(Strict):
    do: Literal["bot_rights"]
    chat: int
    admin: bool
    rights: list[str] | None = None  # with admin: true, exactly these admin rights (none: the usual five)


class RestrictStep(Strict):
    do: Literal["restrict"]
    chat: int
    user: int
    by: int
    rights: list[str] = ["send_messages"]
    until: float | None = Field(None, ge=0)  # seconds from now until the restrictions end (none: never)


class Raid(Strict):
    """Many new people join a group over a span of time; a share of them follow the given channels."""

    do: Literal["raid"]
    chat: int
    count: int = Field(ge=1, le=20_000)
    seconds: float = Field(60.0, ge=0, le=MAX_SECONDS)
    subscribed_share: float = Field(0.2, ge=0, le=1)
    subscribed_to: list[int] = []
    first_id: int = 100_000
    seed: int = 1


class ExpectCanWrite(Strict):
    expect: Literal["can_write"]
    chat: int
    user: int
    value: bool
    kind: str = "text"


class ExpectMessageDeleted(Strict):
    expect: Literal["message_deleted"]
    ref: str
    value: bool = True


class ExpectBotMessages(Strict):
    expect: Literal["bot_messages"]
    chat: int
    count: int | None = None
    contains: str | None = None
    not_contains: str | None = None
    # A live message (one that `contains`, if given) mentions this person over their name (a text mention).
    mentions: int | None = None


class ExpectCallbackAnswer(Strict):
    expect: Literal["callback_answer"]
    contains: str


class ExpectEvent(Strict):
    expect: Literal["event"]
    type: str
    chat: int | None = None
    user: int | None = None
    value: bool = True
    count: int | None = Field(None, ge=0)  # exactly this many in the scope (value is then not used)
    # Only events whose own fields hold these values count (MemberReleased: {how: admin_released, by: 10}).
    where: dict[str, str | int | bool | None] = Field(default_factory=dict)


class ExpectJoinRequest(Strict):
    expect: Literal["join_request"]
    chat: int
    user: int
    state: Literal["pending", "approved", "declined"]


class ExpectPrivateMessage(Strict):
    """The bot sent this person a direct message containing the text (and none containing `not_contains`)."""

    expect: Literal["private_message"]
    user: int
    contains: str
    not_contains: str | None = None


class ExpectGateCorrect(Strict):
    """Every member of the group can write exactly when subscribed to all of its channels (admins aside)."""

    expect: Literal["gate_correct"]
    chat: int


class ExpectSendsPerMinute(Strict):
    """The most messages the bot sent into the chat within any 60 seconds."""

    expect: Literal["sends_per_minute"]
    chat: int
    max: int


class ExpectPeakBotMessages(Strict):
    """The most bot messages alive in the chat at any moment of the run."""

    expect: Literal["peak_bot_messages"]
    chat: int
    max: int


class ExpectCommandMenu(Strict):
    """The bot registered a command menu for `scope` in `lang` ("" is everyone without their own) listing
    `command`, described with a text containing `described` (if given)."""

    expect: Literal["command_menu"]
    scope: Literal["group_admins", "private"]
    lang: str = ""
    command: str
    described: str | None = None


class ExpectApiCalls(Strict):
    expect: Literal["api_calls"]
    method: str
    max: int | None = None
    min: int | None = None

    @model_validator(mode="after")
    def _bound(self) -> "ExpectApiCalls":
        if self.max is None and self.min is None:
            raise ValueError("api_calls needs max and/or min")
        return self


ACTIONS: dict[str, type[Strict]] = {
    "command": Command,
    "message": Message,
    "join": Membership,
    "leave": Membership,
    "ban": Membership,
    "unban": Membership,
    "edit": Edit,
    "promote": Promotion,
    "demote": Promotion,
    "remove_bot": ChatStep,
    "make_private": ChatStep,
    "click": Click,
    "private": Private,
    "wait": Wait,
    "restart": Restart,
    "fault": FaultStep,
    "bot_rights": BotRightsStep,
    "restrict": RestrictStep,
    "raid": Raid,
    "stop": Stop,
}
EXPECTATIONS: dict[str, type[Strict]] = {
    "can_write": ExpectCanWrite,
    "message_deleted": ExpectMessageDeleted,
    "bot_messages": ExpectBotMessages,
    "callback_answer": ExpectCallbackAnswer,
    "event": ExpectEvent,
    "join_request": ExpectJoinRequest,
    "api_calls": ExpectApiCalls,
    "gate_correct": ExpectGateCorrect,
    "private_message": ExpectPrivateMessage,
    "sends_per_minute": ExpectSendsPerMinute,
    "peak_bot_messages": ExpectPeakBotMessages,
    "command_menu": ExpectCommandMenu,
}


class ScenarioError(ValueError):
    """The scenario file itself is wrong; the message points at the step."""


def one_line(error: ValidationError) -> str:
    """Every problem pydantic found, as `where: what` on one line (its own report spans many)."""
    problems = []
    for found in error.errors(include_url=False, include_input=False):
        cause = found.get("ctx", {}).get("error")
        if isinstance(cause, ScenarioError):
            problems.append(str(cause))  # a step's own message, which already says where
            continue
        where = ".".join(str(part) for part in found["loc"])
        problems.append(f"{where}: {found['msg']}" if where else found["msg"])
    return "; ".join(problems)


class Scenario(Strict):
    name: str = ""
    description: str = ""
    world: WorldSpec
    steps: list[Any]

    @model_validator(mode="after")
    def _typed_steps(self) -> "Scenario":
        self.steps = [parse_step(i + 1, raw) for i, raw in enumerate(self.steps)]
        return self


def parse_step(number: int, raw: Any) -> Strict:
    if not isinstance(raw, dict):
        raise ScenarioError(f"step {number}: expected a mapping, got {raw!r}")
    if "do" in raw:
        table, key = ACTIONS, raw["do"]
    elif "expect" in raw:
        table, key = EXPECTATIONS, raw["expect"]
    else:
        raise ScenarioError(f"step {number}: needs 'do' or 'expect'")
    if key not in table:
        raise ScenarioError(f"step {number}: unknown '{key}'; known: {', '.join(table)}")
    try:
        return table[key].model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(f"step {number} ({key}): {one_line(error)}") from None


def load(path: str | Path) -> Scenario:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {error.start}); save the scenario as UTF-8") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML: {' '.join(str(error).split())}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping with 'world' and 'steps'")
    data.setdefault("name", Path(path).stem)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(f"{path}: {one_line(error)}") from None
