"""The bot's update sequences, kept as Telegram keeps them, so that a restarted client can catch up for real.

- each supergroup or channel has its own pts: its messages (the bot's own too) and their edits;
- the bot's qts numbers what only bots get: participant changes and join requests;
- the account's pts numbers the bot's private messages; Telegram's never is 0 (Telethon reads 0 as "no state");
- seq numbers the containers pushed to a connected client, so it can tell one went missing.
updates.getState answers the current numbers; updates.getDifference every account and qts update after the
client's, a slice at a time when there are many (DifferenceSlice), with a hint (UpdateChannelTooLong) for
each channel that has updates; updates.getChannelDifference a channel's messages after the client's pts.
A button press has no number: one pushed while no client listened is handed out with the next difference.
"""

from telethon import types

from adapters.simulated_telegram.tl.entities import when

DIFFERENCE_LIMIT = 100  # account and qts updates in one getDifference answer; the rest come in the next


class UpdateLog:
    def __init__(self, now) -> None:
        self._now = now
        self.pts, self.qts, self.seq = 1, 0, 0
        self._channel_pts: dict[int, int] = {}
        self._channels: dict[int, list] = {}  # channel id -> [(pts, update, users, chats)]
        self._common: list = []  # [("pts" | "qts", number, update, users, chats)], in the order they happened
        self._held: list = []  # (update, users, chats) with no number, pushed while nobody listened

    # -- numbering ----------------------------------------------------------------------------------------

    def next_pts(self, channel_id: int | None = None) -> int:
        if channel_id is None:
            self.pts += 1
            return self.pts
        self._channel_pts[channel_id] = self._channel_pts.get(channel_id, 0) + 1
        return self._channel_pts[channel_id]

    def channel_pts(self, channel_id: int) -> int:
        return self._channel_pts.get(channel_id, 0)

    def next_qts(self) -> int:
        self.qts += 1
        return self.qts

    # -- keeping ------------------------------------------------------------------------------------------

    def keep(self, updates: list, users: list, chats: list) -> None:
        """File each numbered update where a difference will find it again."""
        for update in updates:
            entry = (update, users, chats)
            channel = _channel_of(update)
            if channel is not None and getattr(update, "pts", 0):
                self._channels.setdefault(channel, []).append((update.pts, *entry))
            elif getattr(update, "qts", 0):
                self._common.append(("qts", update.qts, *entry))
            elif getattr(update, "pts", 0):
                self._common.append(("pts", update.pts, *entry))

    def hold(self, updates: list, users: list, chats: list) -> None:
        """Updates with no number that no client heard: the next difference hands them out."""
        self._held += [(u, users, chats) for u in updates if _channel_of(u) is None and not _numbered(u)]

    def container(self, updates: list, users: list, chats: list) -> types.Updates:
        """The Updates pushed to a listening client."""
        self.seq += 1
        return types.Updates(updates, users, chats, when(self._now()), self.seq)

    # -- answering ----------------------------------------------------------------------------------------

    def state(self) -> types.updates.State:
        return types.updates.State(self.pts, self.qts, when(self._now()), self.seq, 0)

    def difference(self, pts: int, qts: int, limit: int = DIFFERENCE_LIMIT):
        after = [e for e in self._common if e[1] > (pts if e[0] == "pts" else qts)]
        taken, more = after[:limit], len(after) > limit
        messages = [e[2].message for e in taken if e[0] == "pts" and isinstance(e[2], types.UpdateNewMessage)]
        others = [e[2] for e in taken if e[0] == "qts"]
        entries = [(e[3], e[4]) for e in taken]
        if not more:
            others += [u for u, _, _ in self._held]
            entries += [(users, chats) for _, users, chats in self._held]
            self._held = []
            others += [types.UpdateChannelTooLong(c, pts=self.channel_pts(c)) for c in sorted(self._channels)]
        users, chats = _union(entries)
        if not taken and not others:
            return types.updates.DifferenceEmpty(when(self._now()), self.seq)
        if more:
            reached_pts = max([pts] + [e[1] for e in taken if e[0] == "pts"])
            reached_qts = max([qts] + [e[1] for e in taken if e[0] == "qts"])
            state = types.updates.State(reached_pts, reached_qts, when(self._now()), self.seq, 0)
            return types.updates.DifferenceSlice(messages, [], others, chats, users, state)
        return types.updates.Difference(messages, [], others, chats, users, self.state())

    def channel_difference(self, channel_id: int, pts: int, limit: int):
        after = [e for e in self._channels.get(channel_id, []) if e[0] > pts]
        if not after:
            return types.updates.ChannelDifferenceEmpty(max(pts, self.channel_pts(channel_id)), final=True)
        taken = after[:limit]
        messages = [e[1].message for e in taken if isinstance(e[1], types.UpdateNewChannelMessage)]
        others = [e[1] for e in taken if not isinstance(e[1], types.UpdateNewChannelMessage)]
        users, chats = _union((e[2], e[3]) for e in taken)
        final = len(after) <= limit
        return types.updates.ChannelDifference(taken[-1][0], messages, others, chats, users, final=final or None)


def _channel_of(update) -> int | None:
    message = getattr(update, "message", None)
    peer = getattr(message, "peer_id", None)
    if isinstance(peer, types.PeerChannel) and getattr(update, "pts", 0):
        return peer.channel_id
    return None


def _numbered(update) -> bool:
    return bool(getattr(update, "pts", 0) or getattr(update, "qts", 0)) or isinstance(update, types.UpdateMessageID)


def _union(entries) -> tuple[list, list]:
    users, chats = {}, {}
    for found_users, found_chats in entries:
        users.update((u.id, u) for u in found_users)
        chats.update((c.id, c) for c in found_chats)
    return list(users.values()), list(chats.values())

