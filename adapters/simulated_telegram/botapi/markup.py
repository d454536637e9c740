"""sendMessage's parse modes: the text is checked the way the Bot API checks it and kept as plain text."""

import re
from html import unescape
from html.parser import HTMLParser

from adapters.simulated_telegram.botapi.errors import bad_request

_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre",
              "blockquote", "tg-emoji"}
_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_MARKS = set("_*[]()~`|")


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _HTML_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise bad_request(f'can\'t parse entities: Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain(text: str, parse_mode: str | None) -> str:
    """The message as people read it; raises the Bot API's 400 for text its parse mode cannot parse."""
    if not text or not text.strip():
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _Html()
        parser.feed(text)
        parser.close()
        if parser.open:
            unclosed = parser.open[-1]
            raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{unclosed}"')
        return unescape("".join(parser.text))
    if mode == "markdownv2":
        out, escaped = [], False
        for char in text:
            if escaped:
                out.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif char in _V2_RESERVED - _V2_MARKS:
                raise bad_request(f"can't parse entities: Character '{char}' is reserved and must be escaped with "
                                  "the preceding '\\'")
            elif char not in _V2_MARKS:
                out.append(char)
        return "".join(out)
    if mode == "markdown":
        return re.sub(r"[*_`\[\]]", "", text)
    if mode:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    return text
