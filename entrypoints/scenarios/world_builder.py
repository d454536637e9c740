"""Builds the simulated world a scenario describes."""

from typing import Any

from adapters.simulated_telegram.model import Chat, Participant, Person, usual_rights
from adapters.simulated_telegram.world import World
from domain import subscription as sub
from entrypoints.scenarios.model import WorldSpec


def build_world(spec: WorldSpec, clock: Any = None) -> World:
    """The world at the start; `clock` is the one its Telegram runs on (restrictions end by it)."""
    world = World(bot_id=spec.bot.id, clock=clock)
    for user in spec.users:
        world.people[user.id] = Person(user.id, user.name, bot=user.bot, username=user.username,
                                       language=user.lang)
    for channel in spec.channels:
        chat = Chat(channel.id, "channel", channel.title, None if channel.private else channel.username,
                    linked_to=channel.linked_to, bot_admin=channel.bot_admin, bot_rights=usual_rights("channel"))
        if channel.bot_rights is not None:
            chat.bot_rights = frozenset(channel.bot_rights)
        for admin in channel.admins:
            chat.participants[admin] = Participant(sub.ADMIN)
        world.chats[channel.id] = chat
    for group in spec.groups:
        chat = Chat(group.id, "group", group.title, group.username, bot_admin=group.bot_admin)
        if group.bot_rights is not None:
            chat.bot_rights = frozenset(group.bot_rights)
        chat.participants[group.creator] = Participant(sub.CREATOR)
        for admin in group.admins:
            chat.participants[admin] = Participant(sub.ADMIN)
        for member in group.members:
            chat.participants.setdefault(member, Participant(sub.MEMBER))
        world.chats[group.id] = chat
    for user in spec.users:
        for channel_id in user.subscribed:
            world.chat(channel_id).participants.setdefault(user.id, Participant(sub.MEMBER))
    for chat in world.chats.values():
        chat.participants[world.bot_id] = Participant(sub.ADMIN if chat.bot_admin else sub.MEMBER)
    return world
