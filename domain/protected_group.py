"""A group the bot guards: which channels members must follow, and how the gate behaves."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.channel import Channel
from domain.errors import GateRuleError
from domain.ids import group_stream_id
from domain.settings import MAX_CHANNELS, GroupSettings

MAX_EXEMPT = 200  # members an admin may exempt in one group: /status lists them all


def linked_channel(
    channel_id: int, title: str, username: str | None = None, invite_link: str | None = None
) -> Channel:
    return Channel(channel_id, title, username, invite_link)


class ProtectedGroup(Aggregate):
    protected_at: datetime | None = None  # the latest /protect: a grace period counts from it
    log_channel: dict[str, Any] | None = None  # where its decisions are posted (Channel.as_data); None: nowhere
    @staticmethod
    def create_id(chat_id: int) -> UUID:
        return group_stream_id(chat_id)

    @event("Registered")
    def __init__(self, chat_id: int, title: str, timestamp: datetime) -> None:
        self.chat_id = chat_id
        self.title = title
        self.protected = False
        self.channels: list[dict[str, Any]] = []  # as the events carry them (Channel.as_data)
        self.settings_data: dict[str, Any] = GroupSettings().to_dict()
        self.blind: list[int] = []  # the group or linked channels where the bot has lost its admin rights
        self.exempt: list[dict[str, Any]] = []  # members an admin exempted: {"id", "name"}, as the events carry them

    @property
    def settings(self) -> GroupSettings:
        return GroupSettings.from_dict(self.settings_data)

    @property
    def channel_ids(self) -> list[int]:
        return [c["id"] for c in self.channels]

    @property
    def linked(self) -> list[Channel]:
        return [Channel.of(c) for c in self.channels]

    @property
    def exempt_ids(self) -> list[int]:
        return [m["id"] for m in getattr(self, "exempt", [])]  # snapshots from before exemptions have none

    def channel(self, channel_id: int) -> Channel | None:
        return next((c for c in self.linked if c.id == channel_id), None)

    # Commands check the rules, then record what happened.

    def protect(self, channels: list[Channel], by: int, timestamp: datetime) -> None:
        if self.protected:
            raise GateRuleError("This group is already protected. Use /link to add a channel.")
        ids = [c.id for c in channels]
        if not ids:
            raise GateRuleError("Name at least one channel, for example: /protect @news")
        if len(set(ids)) != len(ids):
            raise GateRuleError("The same channel is named twice.")
        if len(ids) > MAX_CHANNELS:
            raise GateRuleError(f"A group can require at most {MAX_CHANNELS} channels.")
        self._protected(channels=[c.as_data() for c in channels], by=by, timestamp=timestamp)

    def link(self, channel: Channel, by: int, timestamp: datetime) -> None:
        self._require_protected()
        if channel.id in self.channel_ids:
            raise GateRuleError(f"{channel.title} is already linked to this group.")
        if len(self.channels) >= MAX_CHANNELS:
            raise GateRuleError(f"A group can require at most {MAX_CHANNELS} channels.")
        self._channel_linked(channel=channel.as_data(), by=by, timestamp=timestamp)

    def unlink(self, channel_id: int, by: int, timestamp: datetime) -> None:
        self._require_protected()
        if channel_id not in self.channel_ids:
            raise GateRuleError("That channel is not linked to this group.")
        if len(self.channels) == 1:
            raise GateRuleError("This is the last linked channel. Use /unprotect to stop protecting the group.")
        self._channel_unlinked(channel_id=channel_id, by=by, timestamp=timestamp)

    def change_setting(self, key: str, raw: str, by: int, timestamp: datetime) -> None:
        self._require_protected()
        new = self.settings.with_value(key, raw)
        value = new.to_dict()[key]
        if value != self.settings_data[key]:
            self._setting_changed(key=key, value=value, by=by, timestamp=timestamp)

    def update_channel(self, channel: Channel, timestamp: datetime) -> bool:
        """A linked channel's details changed on Telegram (its username removed, its title); False if not."""
        if self.channel(channel.id) in (None, channel):
            return False
        self._channel_updated(channel=channel.as_data(), timestamp=timestamp)
        return True

    def unprotect(self, by: int, timestamp: datetime) -> None:
        self._require_protected()
        self._unprotected(by=by, timestamp=timestamp)

    def bot_rights_changed(self, chat_id: int, is_admin: bool, timestamp: datetime) -> bool:
        """Record that the bot lost or regained admin rights in the group or a linked channel, once."""
        if not is_admin and chat_id not in self.blind:
            self._bot_rights_lost(chat_id=chat_id, timestamp=timestamp)
            return True
        if is_admin and chat_id in self.blind:
            self._bot_rights_regained(chat_id=chat_id, timestamp=timestamp)
            return True
        return False

    def exempt_member(self, member_id: int, name: str, by: int, timestamp: datetime) -> None:
        """An admin exempts a member: the gate never restricts them here, and releases the bot's mute on them."""
        self._require_protected()
        if member_id in self.exempt_ids:
            raise GateRuleError(f"{name} is already exempt here.")
        if len(self.exempt_ids) >= MAX_EXEMPT:
            raise GateRuleError(f"A group can exempt at most {MAX_EXEMPT} members. Use /unexempt first.")
        self._member_exempted(member_id=member_id, name=name, by=by, timestamp=timestamp)

    def unexempt_member(self, member_id: int, by: int, timestamp: datetime) -> str:
        """The member is gated again from their next message; returns the name they were exempted under."""
        self._require_protected()
        found = next((m for m in getattr(self, "exempt", []) if m["id"] == member_id), None)
        if found is None:
            raise GateRuleError("That member is not exempt here. /status lists who is.")
        self._member_unexempted(member_id=member_id, by=by, timestamp=timestamp)
        return found["name"]

    def set_log_channel(self, channel: Channel | None, by: int, timestamp: datetime) -> None:
        """Where the bot posts its decisions about this group (None: nowhere). Setting the same channel again
        is recorded too: it is how admins say posting there works again after they fixed the bot's rights."""
        self._require_protected()
        if channel is None and self.log_channel is None:
            return
        self._log_channel_set(channel=channel.as_data() if channel else None, by=by, timestamp=timestamp)

    def refuse_command(self, by: int, command: str, timestamp: datetime) -> None:
        """Someone who is not an admin tried to run an admin command; the attempt is kept."""
        self._command_refused(by=by, command=command, timestamp=timestamp)

    def _require_protected(self) -> None:
        if not self.protected:
            raise GateRuleError("This group is not protected. Start with /protect @channel")

    # Events: their bodies run when recorded and again on every replay.

    @event("Protected")
    def _protected(self, channels: list[dict[str, Any]], by: int, timestamp: datetime) -> None:
        self.protected = True
        self.protected_at = timestamp
        self.channels = [dict(c) for c in channels]

    @event("ChannelLinked")
    def _channel_linked(self, channel: dict[str, Any], by: int, timestamp: datetime) -> None:
        self.channels.append(dict(channel))

    @event("ChannelUnlinked")
    def _channel_unlinked(self, channel_id: int, by: int, timestamp: datetime) -> None:
        self.channels = [c for c in self.channels if c["id"] != channel_id]

    @event("ChannelUpdated")
    def _channel_updated(self, channel: dict[str, Any], timestamp: datetime) -> None:
        self.channels = [dict(channel) if c["id"] == channel["id"] else c for c in self.channels]

    @event("SettingChanged")
    def _setting_changed(self, key: str, value: Any, by: int, timestamp: datetime) -> None:
        self.settings_data = {**self.settings_data, key: value}

    @event("Unprotected")
    def _unprotected(self, by: int, timestamp: datetime) -> None:
        self.protected = False
        self.channels = []

    @event("MemberExempted")
    def _member_exempted(self, member_id: int, name: str, by: int, timestamp: datetime) -> None:
        self.exempt = [*getattr(self, "exempt", []), {"id": member_id, "name": name}]

    @event("MemberUnexempted")
    def _member_unexempted(self, member_id: int, by: int, timestamp: datetime) -> None:
        self.exempt = [m for m in getattr(self, "exempt", []) if m["id"] != member_id]

    @event("LogChannelSet")
    def _log_channel_set(self, channel: dict[str, Any] | None, by: int, timestamp: datetime) -> None:
        self.log_channel = dict(channel) if channel else None

    @event("CommandRefused")
    def _command_refused(self, by: int, command: str, timestamp: datetime) -> None:
        pass

    @event("BotRightsLost")
    def _bot_rights_lost(self, chat_id: int, timestamp: datetime) -> None:
        self.blind = [*self.blind, chat_id]

    @event("BotRightsRegained")
    def _bot_rights_regained(self, chat_id: int, timestamp: datetime) -> None:
        self.blind = [c for c in self.blind if c != chat_id]
