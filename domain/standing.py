"""A member's place in a group, and the two layers of restriction that sit on them.

Telegram holds one set of per-member restrictions (with one end date) for each member. Two parties write
it: the group's admins (a ban, "no photos until Friday") and the bot (its mute). Telegram replaces the
whole set on every write, so the bot must keep the two apart: it mutes by adding its rights to what the
admins set, and releases by putting back exactly the admins' layer, never an empty set over it (which on
Telegram would also lift a ban) and never "every right".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.rights import MUTE
from domain.subscription import ADMIN, CREATOR, KICKED, LEFT, MEMBER, NONE, RESTRICTED

IN_GROUP = frozenset({CREATOR, ADMIN, MEMBER, RESTRICTED})
OUT_OF_GROUP = frozenset({LEFT, KICKED, NONE})
# Telegram reads an end date closer than this as "no end": a restriction about to lapse is released instead.
SHORTEST_END = timedelta(seconds=30)


def in_group(standing: str | None) -> bool:
    """True while the person is inside the group; None (never learnt) counts as inside, since only an
    update about someone in the group (a message, a join) makes the gate look at them."""
    return standing is None or standing in IN_GROUP


def is_group_admin(standing: str | None) -> bool:
    return standing in (ADMIN, CREATOR)


@dataclass(frozen=True)
class Layer:
    """A set of per-member restrictions and when it ends (None: no end)."""

    rights: frozenset[str] = frozenset()
    until: datetime | None = None

    def ended(self, now: datetime) -> bool:
        return self.until is not None and self.until <= now


@dataclass(frozen=True)
class Hold:
    """What the log knows of Telegram's set for one member: the admins' layer and the bot's mute on top."""

    admins: Layer = Layer()
    mute_in_force: bool = False
    bot_added: frozenset[str] = frozenset()  # the rights the bot's mute added to the admins' layer
    bot_until: datetime | None = None  # the end of the bot's own timed mute (escalation), None: no end


def after_observing(hold: Hold, standing: str, observed: Layer) -> Hold:
    """The hold once Telegram has shown the member's place and restrictions (changed by someone else).

    Admin rights, a ban, or no record at all replace whatever restrictions there were, the bot's mute
    included. While the bot's rights are all still set, Telegram's set is the admins' rights plus the
    bot's: whatever else is there an admin set, with the admin's end date. An end date on the whole set
    would end the bot's mute with it, so the mute no longer counts as in force and is applied again (with
    no end); an admin who removed any right the bot added has lifted its mute by hand.
    """
    if is_group_admin(standing):
        return Hold()
    if standing in (KICKED, NONE) or not hold.mute_in_force or not hold.bot_added <= observed.rights:
        return Hold(observed)
    if same_end(observed.until, hold.bot_until):
        # The end date is the bot's own timed mute's (applied only over an admins' layer without rights or
        # end): Telegram's set is the bot's mute and nothing else of the admins'.
        return Hold(Layer(observed.rights - hold.bot_added), True, hold.bot_added, hold.bot_until)
    admins = Layer(observed.rights - hold.bot_added, observed.until)
    if observed.until is not None:
        return Hold(admins)
    return Hold(admins, True, hold.bot_added)


def same_end(a: datetime | None, b: datetime | None) -> bool:
    """Two end dates alike as Telegram keeps them (whole seconds); no end is like no other end."""
    return a is not None and b is not None and abs((a - b).total_seconds()) < 1


def lifted_by_hand(hold: Hold, standing: str, observed: Layer) -> bool:
    """Someone else removed a right the bot's mute added, while the member stayed an ordinary member."""
    ordinary = not is_group_admin(standing) and standing not in (KICKED, NONE)
    return hold.mute_in_force and ordinary and not hold.bot_added <= observed.rights


def mute_layer(admins: Layer) -> Layer:
    """The set that mutes: the admins' rights and the bot's. No end date: the mute lasts until release,
    so an admin's timed restriction is held until then and put back with its own end at release."""
    return Layer(admins.rights | MUTE, None)


def timed_mute_layer(admins: Layer, until: datetime | None) -> Layer:
    """A mute that ends by itself (an escalation step). Telegram keeps one end date for the whole set, so
    the end is given only over an empty admins' layer; over an admin's restriction it would end theirs too,
    and the mute is applied without end instead (lifted at release, like any other)."""
    if until is None or admins.rights or admins.until is not None:
        return mute_layer(admins)
    return Layer(MUTE, until)


def added_by_mute(admins: Layer) -> frozenset[str]:
    return MUTE - admins.rights


def release_layer(admins: Layer, now: datetime) -> Layer:
    """What a release writes: the admins' layer as they set it, or nothing once (or just before) it ends."""
    if admins.until is not None and admins.until - now < SHORTEST_END:
        return Layer()
    return admins
