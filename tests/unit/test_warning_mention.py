"""Where the member's name stands in their warning, counted as Telegram counts a text mention's place."""

from application import messages
from domain.channel import Channel

NEWS = [Channel(id=1, title="News", username="news")]


def _covered(text: str, offset: int, length: int) -> str:
    units = text.encode("utf-16-le")
    return units[2 * offset: 2 * (offset + length)].decode("utf-16-le")


def test_the_name_is_found_after_characters_outside_the_basic_plane() -> None:
    # 🎉 is two UTF-16 code units: a count in Python characters would put the mention one unit early.
    text, spans = messages.warning_spans("Ana 🌸", NEWS, "Chat 🎉", "🎉 {group}: welcome {name}! Join {channels}.")
    assert text == "🎉 Chat 🎉: welcome Ana 🌸! Join @news."
    assert [_covered(text, *span) for span in spans] == ["Ana 🌸"]
    assert spans[0][0] != text.index("Ana")  # Python's index differs: the offsets really are UTF-16 ones


def test_every_place_of_the_name_is_mentioned_and_none_when_it_is_absent() -> None:
    text, spans = messages.warning_spans("Bob", NEWS, "Chat", "{name}, {name}: follow {channels}")
    assert [_covered(text, *span) for span in spans] == ["Bob", "Bob"]
    assert messages.warning_spans("Bob", NEWS, "Chat", "Follow {channels}")[1] == []


def test_the_catalog_warning_mentions_in_every_language() -> None:
    for language in ("en", "ru", "es", "id"):
        with messages.speaking(language):
            text, spans = messages.warning_spans("Dewi", NEWS)
        assert [_covered(text, *span) for span in spans] == ["Dewi"], language
