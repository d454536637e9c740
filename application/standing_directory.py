"""Each protected group's standing directory: who has a place other than a plain member's, so that a first-seen
member who is in none of Telegram's lists of the restricted, the banned and the admins can be muted without
first reading their rights (the bot's mute is a layer over an admin's restrictions, so it must know them).

Filled by listing the group's Banned, Kicked and Admins (a few calls at the bulk priority) on /protect, when the
bot regains its rights, and after a start, when a member's rights are next needed; kept current by the
participant updates. When in doubt, read: while a directory is not complete (never filled, a listing failed,
the bot lost its rights, the process started and cannot know what happened while no one listened), `known`
answers None and the gate reads the member as it always did.
"""

import logging
import uuid

from application.ports.availability import Unavailable
from application.ports.clock import Clock
from application.ports.standing_directory import StandingStore
from application.ports.telegram import LIST_LIMIT, Listing, Participant, TelegramError, TelegramGateway
from application.urgency import Urgency, urgency
from domain import subscription as sub
from domain.standing import in_group

log = logging.getLogger(__name__)

FILLED_FROM = (Listing.BANNED, Listing.KICKED, Listing.ADMINS)
# A group whose directory could not be filled is tried again after this long, not on every member's first mute.
REFILL_PAUSE = 300.0


class StandingDirectory:
    def __init__(self, store: StandingStore | None, gateway: TelegramGateway, clock: Clock) -> None:
        self._store = store  # None: no directory is kept, every first mute reads the member
        self._gateway = gateway
        self._clock = clock
        self._tried: dict[int, float] = {}  # chat -> when this process last started filling it
        self._owed_doubts: set[int] = set()  # chats whose note failed: doubted before anything is read of them
        self._doubt_all_owed = False  # a start's doubt of every directory not yet written to the store
        self._unfilled: set[int] = set()  # chats whose directory was found in doubt when a member needed it

    async def known(self, chat_id: int, member_id: int) -> Participant | None:
        """The member's place in the group as the directory tells it for sure, or None: read Telegram."""
        if self._store is None or not await self._doubts_paid(chat_id):
            return None
        try:
            found = await self._store.lookup(chat_id, member_id)
        except Unavailable:
            return None
        if not found.complete:
            self._unfilled.add(chat_id)
            return None
        if found.participant is None:
            return Participant(sub.MEMBER)  # in no list: a plain member with the group's default rights
        # Listed as gone (banned, or left restricted) yet writing: the list is behind; Telegram tells.
        return found.participant if in_group(found.participant.status) else None

    def needs_fill(self, chat_id: int) -> bool:
        """Whether a member was read because the group's directory was in doubt, and no fill was started here
        within the pause: then a fill is worth starting (once; it is not asked again until it is needed again)."""
        if chat_id not in self._unfilled:
            return False
        self._unfilled.discard(chat_id)
        tried = self._tried.get(chat_id)
        return tried is None or self._clock.time() - tried >= REFILL_PAUSE

    async def fill(self, chat_id: int) -> bool:
        """List the group's restricted, banned and admins, and make the directory complete; False when it stays
        in doubt (the bot may not list them, Telegram did not answer, or another fill or a doubt came between)."""
        if self._store is None:
            return False
        self._tried[chat_id] = self._clock.time()
        token = uuid.uuid4().hex
        try:
            await self._store.begin_fill(chat_id, token)
            entries: dict[int, Participant] = {}
            with urgency(Urgency.BULK):
                for listing in FILLED_FROM:
                    entries |= await self._everyone(chat_id, listing)
            entries.pop(self._gateway.bot_id, None)  # the bot's own place is not a member's
            return await self._store.finish_fill(chat_id, token, entries)
        except (TelegramError, Unavailable) as error:
            log.info("standing directory of chat %s not filled (%s); members are read as needed", chat_id, error)
            return False

    async def _everyone(self, chat_id: int, listing: Listing) -> dict[int, Participant]:
        found: dict[int, Participant] = {}
        while True:
            page = await self._gateway.list_participants(chat_id, listing, len(found))
            found.update(page.members)
            if len(page.members) < LIST_LIMIT:
                return found

    async def note(self, chat_id: int, member_id: int, participant: Participant | None) -> None:
        """A participant update told the member's place now (None: a plain member)."""
        if self._store is None or member_id == self._gateway.bot_id:
            return
        plain = participant is None or (participant.status == sub.MEMBER and not participant.restrictions)
        try:
            await self._store.note(chat_id, member_id, None if plain else participant)
        except Unavailable:
            self._owed_doubts.add(chat_id)  # this change is not in the directory: it cannot be whole

    async def doubt(self, chat_id: int) -> None:
        """Changes may have gone unseen: the directory is in doubt until filled again."""
        if self._store is None:
            return
        self._tried.pop(chat_id, None)
        try:
            await self._store.doubt(chat_id)
        except Unavailable:
            self._owed_doubts.add(chat_id)

    async def updates_lost(self, chat_id: int | None) -> None:
        """Telegram will not deliver what changed in this chat (None: in any chat) for a while."""
        await (self.doubt_all() if chat_id is None else self.doubt(chat_id))

    async def doubt_all(self) -> None:
        """At a start: no directory is trusted until filled again (owed, if the store cannot be reached now)."""
        if self._store is None:
            return
        self._doubt_all_owed = True
        await self._doubts_paid(0)

    async def _doubts_paid(self, chat_id: int) -> bool:
        """Doubts this process owes the store are paid before anything is read from it; False while unpaid."""
        if self._doubt_all_owed:
            try:
                await self._store.doubt_all()  # type: ignore[union-attr]
            except Unavailable:
                return False
            self._doubt_all_owed = False
        if chat_id not in self._owed_doubts:
            return True
        try:
            await self._store.doubt(chat_id)  # type: ignore[union-attr]
        except Unavailable:
            return False
        self._owed_doubts.discard(chat_id)
        return False  # doubted now: in doubt until the next fill
