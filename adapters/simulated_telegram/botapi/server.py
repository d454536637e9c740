"""The HTTP side: `/bot{token}/{method}` on aiohttp, as the Bot API serves it.

Parameters come as a query string, a form (python-telegram-bot's way: objects JSON-encoded in fields) or a JSON
body. Every call is counted and logged like the direct transport's, waits the same simulated round trip, and
meets the same fault plan (its method names: get_participant, edit_banned, send_message, ...).
"""

import asyncio
import json
import random
import re
import time
from collections import Counter
from typing import Any

from aiohttp import web

from adapters.simulated_telegram.botapi.errors import ApiError, from_fault
from adapters.simulated_telegram.botapi.feed import UpdateFeed
from adapters.simulated_telegram.botapi.flood import FloodControl
from adapters.simulated_telegram.botapi.methods import Methods, chat_ids
from adapters.simulated_telegram.faults import FaultPlan
from adapters.simulated_telegram.world import World
from application.ports.telegram import TelegramError

# Fields whose value is a JSON object or array (python-telegram-bot sends them JSON-encoded in a form).
_JSON_FIELDS = {"reply_markup", "permissions", "allowed_updates", "commands", "scope", "reply_parameters",
                "message_ids", "link_preview_options", "entities"}
# The bot port's names for the same requests, so a scenario's fault step hits the same call on every transport.
PORT_NAMES = {
    "getchatmember": "get_participant", "getchatadministrators": "get_participants", "getchat": "get_channels",
    "restrictchatmember": "edit_banned", "banchatmember": "edit_banned", "unbanchatmember": "edit_banned",
    "sendmessage": "send_message", "editmessagetext": "edit_message", "deletemessage": "delete_messages",
    "deletemessages": "delete_messages", "answercallbackquery": "set_bot_callback_answer",
    "approvechatjoinrequest": "hide_chat_join_request", "declinechatjoinrequest": "hide_chat_join_request",
    "createchatinvitelink": "export_chat_invite", "exportchatinvitelink": "export_chat_invite",
}
_SENDING = {"sendmessage"}
# Calls that deliver updates or set the bot up: not part of what a decision costs in Telegram calls.
NOT_BILLED = {"getUpdates", "getMe", "deleteWebhook", "setMyCommands", "getMyCommands", "deleteMyCommands",
              "getWebhookInfo", "close", "logOut"}
MAX_POLL = 50.0  # the Bot API's longest long poll
_CAMEL = re.compile(r"^[a-z]+[A-Z]\w*$")


class BotApiServer:
    def __init__(self, world: World, token: str | None = None, rtt: float = 0.0, jitter: float = 0.0,
                 seed: int = 0, flood: FloodControl | None = None) -> None:
        self.world = world
        self.token = token or f"{world.bot_id}:simulated"
        self.feed = UpdateFeed(world)
        self.methods = Methods(world, self.feed)
        self.faults = FaultPlan()
        self.flood = flood if flood is not None else FloodControl()
        self.calls: Counter[str] = Counter()
        # (wall time answered, method, world chat, user, query id): the round trip included, as the bot sees it
        self.log: list[tuple[float, str, int | None, int | None, str | None]] = []
        self.errors: Counter[str] = Counter()  # "method code" of every error answered
        self._rtt, self._jitter, self._random = rtt, jitter, random.Random(seed)
        self._poll: asyncio.Event | None = None  # set to end the pending getUpdates with 409
        self._polls_open = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        # The Bot API's methods are the camelCase ones (getChatMember, ...); method names are case-insensitive.
        self._by_name = {name.lower(): getattr(self.methods, name) for name in dir(self.methods)
                         if _CAMEL.match(name)}

    # Life cycle.

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url(host)

    def base_url(self, host: str = "127.0.0.1") -> str:
        """What a bot's library takes as its base URL (python-telegram-bot appends the token to it)."""
        return f"http://{host}:{self.port}/bot"

    async def stop(self) -> None:
        if self._poll is not None:
            self._poll.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def pump(self) -> int:
        """Queue what the world produced and wake a waiting getUpdates."""
        return self.feed.pump()

    def instant(self) -> None:
        self._rtt = self._jitter = 0.0

    def billed(self) -> int:
        return sum(n for method, n in self.calls.items() if method not in NOT_BILLED)

    # Requests.

    async def _serve(self, request: web.Request) -> web.Response:
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            name = request.match_info["method"]
            handler = self._by_name.get(name.lower())
            if handler is None and name.lower() != "getupdates":
                raise ApiError(404, "Not Found: method not found")
            params = await _params(request)
            canonical = "getUpdates" if handler is None else handler.__name__
            result = await self.call(canonical, params)
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            self.errors[f"{request.match_info.get('method')} {error.code}"] += 1
            return web.json_response(error.body(), status=error.code)

    async def call(self, method: str, params: dict) -> Any:
        if method == "getUpdates":
            self.calls[method] += 1
            return await self._get_updates(params)
        chat, user = chat_ids(params)
        self.calls[method] += 1
        if self._rtt:
            await asyncio.sleep(max(0.0, self._rtt + self._random.uniform(-self._jitter, self._jitter)))
        try:
            self.faults.check(PORT_NAMES.get(method.lower(), method), chat)
        except TelegramError as fault:
            raise from_fault(fault) from None
        if method.lower() in _SENDING and (wait := self.flood.admit(chat)) is not None:
            raise ApiError(429, f"Too Many Requests: retry after {max(1, int(wait + 0.999))}", retry_after=wait)
        try:
            return getattr(self.methods, method)(params)
        finally:
            self.log.append((time.perf_counter(), method, chat, user, params.get("callback_query_id")))
            self.pump()

    async def _get_updates(self, params: dict) -> list[dict]:
        if self._poll is not None and self._polls_open:
            self._poll.set()  # Telegram ends the older poll: "terminated by other getUpdates request"
        mine = self._poll = asyncio.Event()
        self._polls_open += 1
        try:
            self.methods.set_allowed(params.get("allowed_updates"))
            if params.get("offset") not in (None, ""):
                self.feed.confirm(int(params["offset"]))
            limit = min(100, max(1, int(params.get("limit") or 100)))
            timeout = min(MAX_POLL, max(0.0, float(params.get("timeout") or 0)))
            self.feed.pump()
            if not self.feed.queue and timeout > 0:
                waiting = asyncio.ensure_future(self.feed.wait(timeout))
                ended = asyncio.ensure_future(mine.wait())
                await asyncio.wait({waiting, ended}, return_when=asyncio.FIRST_COMPLETED)
                for task in (waiting, ended):
                    task.cancel()
            if mine.is_set():
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one "
                                    "bot instance is running")
            batch = self.feed.ready(limit)
            self.feed.delivered += len(batch)
            return batch
        finally:
            self._polls_open -= 1


async def _params(request: web.Request) -> dict:
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON body") from None
            if isinstance(body, dict):
                params.update(body)
        else:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for field in _JSON_FIELDS & params.keys():
        if isinstance(params[field], str):
            try:
                params[field] = json.loads(params[field])
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {field} JSON object") from None
    return params


async def serve_forever(world: World, port: int, ready: Any) -> None:
    """`chanwarden botapi`: serve the world until interrupted; `ready(base_url, token)` is told where."""
    server = BotApiServer(world)
    url = await server.start(port=port)
    ready(url, server.token)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
