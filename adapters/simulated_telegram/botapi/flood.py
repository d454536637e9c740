"""Telegram's flood control on sending: about 20 messages a minute in one group, 30 a second overall.

Past either, the Bot API answers 429 with retry_after (the seconds until a slot frees); nothing is sent.
"""

import time
from collections import deque


class FloodControl:
    def __init__(self, per_chat: int = 20, chat_window: float = 60.0, overall: int = 30,
                 overall_window: float = 1.0, now=time.monotonic) -> None:
        self.per_chat, self.chat_window = per_chat, chat_window
        self.overall, self.overall_window = overall, overall_window
        self._now = now
        self._chats: dict[int, deque[float]] = {}
        self._all: deque[float] = deque()
        self.refused = 0

    def admit(self, chat: int | None) -> float | None:
        """None when the message may go now (and it is counted); else the seconds to wait."""
        now = self._now()
        waits = [_wait(self._all, self.overall, self.overall_window, now)]
        sent = self._chats.setdefault(chat, deque()) if chat is not None else None
        if sent is not None:
            waits.append(_wait(sent, self.per_chat, self.chat_window, now))
        longest = max(w for w in waits)
        if longest > 0:
            self.refused += 1
            return longest
        self._all.append(now)
        if sent is not None:
            sent.append(now)
        return None


def _wait(sent: deque[float], limit: int, window: float, now: float) -> float:
    while sent and sent[0] <= now - window:
        sent.popleft()
    return 0.0 if len(sent) < limit else sent[0] + window - now
