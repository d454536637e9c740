"""Starts Nezuko unmodified, with only its Bot API base URL redirected to the local simulated server.

Run by Nezuko's own Python (3.13 venv) from a copy of the pinned source:

    NEZUKO_BASE_URL=http://127.0.0.1:PORT/bot python nezuko_launch.py

python-telegram-bot's ApplicationBuilder takes a `base_url`, which is how bots use a local `telegram-bot-api`
server; Nezuko's main() builds its Application without one, so the builder is given it just before build().
Nothing else of Nezuko is touched. This file imports nothing of chanwarden (it runs in the other venv).
"""

import os
import runpy
import sys

from telegram.ext import ApplicationBuilder

_build = ApplicationBuilder.build


def _build_at_local_server(self):  # type: ignore[no-untyped-def]
    self.base_url(os.environ["NEZUKO_BASE_URL"])
    return _build(self)


if __name__ == "__main__":
    ApplicationBuilder.build = _build_at_local_server  # type: ignore[method-assign]
    sys.argv = ["apps.bot.main"]
    runpy.run_module("apps.bot.main", run_name="__main__", alter_sys=True)
