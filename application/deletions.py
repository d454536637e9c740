"""Message deletions asked for at the same moment in one chat go to Telegram as one call.

Telegram deletes up to 100 messages of a chat per call. The reactor carries many members out at once,
each with a message or a warning to remove; sent one by one they would cost a call each.
"""

import asyncio

from application.ports.telegram import TelegramError, TelegramGateway

CHUNK = 100


class BatchedDeletes:
    def __init__(self, gateway: TelegramGateway) -> None:
        self._gateway = gateway
        self._pending: dict[int, tuple[list[int], asyncio.Future[None]]] = {}

    async def delete(self, chat_id: int, message_ids: list[int]) -> None:
        """Returns once the call carrying these ids is answered; a message already gone is no error."""
        if not message_ids:
            return
        pending = self._pending.get(chat_id)
        if pending is None:
            pending = self._pending[chat_id] = ([], asyncio.get_running_loop().create_future())
            asyncio.get_running_loop().create_task(self._flush(chat_id))
        pending[0].extend(message_ids)
        await asyncio.shield(pending[1])

    async def _flush(self, chat_id: int) -> None:
        await asyncio.sleep(0)  # every deletion asked for in this turn of the loop joins the call
        ids, done = self._pending.pop(chat_id)
        unique = list(dict.fromkeys(ids))
        try:
            for start in range(0, len(unique), CHUNK):
                try:
                    await self._gateway.delete_messages(chat_id, unique[start : start + CHUNK])
                except TelegramError:
                    pass  # gone already (an admin, or its timer); the rest are still worth a try
        except BaseException as error:
            done.set_exception(error)  # every waiter raises it; the task itself ends quietly
            done.exception()  # marked as seen, in case every waiter has gone
            if isinstance(error, asyncio.CancelledError):
                raise
            return
        done.set_result(None)
