"""Who administers each group, asked of Telegram once and then remembered for a while.

When a group's list expires, one call renews it: messages arriving meanwhile are decided with the list
as it was (at most a round trip older than the expiry allows) instead of each asking Telegram again and
waiting for the answer. Only a group never asked about waits, and then for that one call.
"""

from application.on_its_way import OnItsWay
from application.ports.clock import Clock
from application.ports.telegram import TelegramError, TelegramGateway

ADMIN_LIST_TTL = 600.0


class AdminDirectory:
    def __init__(self, gateway: TelegramGateway, clock: Clock, ttl: float = ADMIN_LIST_TTL) -> None:
        self._gateway = gateway
        self._clock = clock
        self._ttl = ttl
        self._admins: dict[int, tuple[float, frozenset[int]]] = {}
        self._asking = OnItsWay()  # per chat

    async def admins(self, chat_id: int) -> frozenset[int]:
        cached = self._admins.get(chat_id)
        if cached and cached[0] > self._clock.time():
            return cached[1]
        if cached:
            self._asking.start(chat_id, lambda: self._ask(chat_id))
            return cached[1]
        return await self._asking.answer(chat_id, lambda: self._ask(chat_id))

    async def _ask(self, chat_id: int) -> frozenset[int]:
        try:
            admins = await self._gateway.get_admins(chat_id)
        except TelegramError:
            # Keep deciding with the last known list rather than treating every admin as a member.
            cached = self._admins.get(chat_id)
            return cached[1] if cached else frozenset()
        self._admins[chat_id] = (self._clock.time() + self._ttl, admins)
        return admins

    def forget(self, chat_id: int) -> None:
        self._admins.pop(chat_id, None)

    def learn(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        """Telegram told of a promotion or demotion: it counts from now, not when the list next expires."""
        cached = self._admins.get(chat_id)
        if cached is not None:
            admins = cached[1] | {user_id} if is_admin else cached[1] - {user_id}
            self._admins[chat_id] = (cached[0], admins)
