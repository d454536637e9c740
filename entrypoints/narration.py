"""Events told in plain words: the tables live in application/narration.py, where the bot's own answers to
members ("Why?") use them too; audit commands keep importing them from here."""

from application.narration import (  # noqa: F401
    ACTIONS,
    FAILURES,
    REASON_HEADINGS,
    REASONS,
    RELEASES,
    SEEN,
    TRIGGERS,
    channel_name,
    describe,
    restrictions_in_words,
    words,
)
