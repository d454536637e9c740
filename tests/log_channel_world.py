"""A small simulated world for the log channel's tests: a group, the channel it requires, and a log channel the
bot may post in."""

from adapters.simulated_telegram.model import CHANNEL_ADMIN_RIGHTS, Chat, Participant, Person
from adapters.simulated_telegram.world import World

GROUP, CHANNEL, LOG, OWNER, BOT = 2001, 1001, 3001, 10, 999


def log_channel_world(members: range) -> World:
    """The group with `members` in it (none subscribed), @news to require and @modlog to post the log in."""
    made = World(bot_id=BOT)
    made.people[OWNER] = Person(OWNER, "Owner")
    made.chats[CHANNEL] = Chat(CHANNEL, "channel", "News", "news")
    made.chats[LOG] = Chat(LOG, "channel", "Mod Log", "modlog", bot_rights=CHANNEL_ADMIN_RIGHTS)
    group = Chat(GROUP, "group", "Chat")
    group.participants = {OWNER: Participant("creator"), BOT: Participant("admin")}
    for member in members:
        made.people[member] = Person(member, f"Member {member}")
        group.participants[member] = Participant("member")
    made.chats[GROUP] = group
    return made
