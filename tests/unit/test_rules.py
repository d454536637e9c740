import pytest

from application.callback_tokens import CallbackTokens
from domain import rights, subscription
from domain.senders import ANONYMOUS_ADMIN, LINKED_CHANNEL, SEND_AS_CHANNEL, USER, Sender, exemption


@pytest.mark.parametrize(
    ("status", "subscribed"),
    [("creator", True), ("admin", True), ("member", True), ("restricted", True),
     ("left", False), ("kicked", False), ("none", False), ("something-new", False)],
)
def test_what_counts_as_subscribed(status: str, subscribed: bool) -> None:
    assert subscription.is_subscribed(status) is subscribed


def test_every_channel_must_be_followed() -> None:
    statuses = {1: "member", 2: "left"}
    assert subscription.missing_channels([1, 2, 3], statuses) == [2, 3]
    assert subscription.missing_channels([1], statuses) == []


def test_exemptions() -> None:
    admins, linked = frozenset({10}), frozenset({1001})
    assert exemption(Sender(ANONYMOUS_ADMIN, 2001), admins, linked) == ANONYMOUS_ADMIN
    assert exemption(Sender(LINKED_CHANNEL, 1001), admins, linked) == LINKED_CHANNEL
    assert exemption(Sender(USER, 10), admins, linked) == "group_admin"
    assert exemption(Sender(USER, 5), admins, linked) is None
    # Writing as some other channel is how gates are bypassed: never exempt.
    assert exemption(Sender(SEND_AS_CHANNEL, 4242), admins, linked) is None
    assert exemption(Sender(SEND_AS_CHANNEL, 1001), admins, linked) == "linked_channel"


def test_mute_blocks_every_kind_and_keeps_prior_restrictions() -> None:
    muted = rights.muted(frozenset({"pin_messages"}))
    assert "pin_messages" in muted
    for kind in rights.RIGHT_FOR_KIND:
        assert not rights.may_send(muted, kind)
    assert rights.may_send(frozenset({"send_photos"}), "text")
    assert not rights.may_send(frozenset({"send_photos"}), "photo")


def test_callback_tokens_are_unforgeable_and_small() -> None:
    tokens = CallbackTokens(b"secret")
    data = tokens.issue(-1001234567890, 7)
    assert len(data) <= 64
    assert tokens.read(data) == (-1001234567890, 7)
    assert CallbackTokens(b"other").read(data) is None
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    assert tokens.read(tampered) is None
    for junk in (b"", b"v1", b"x" * 64, data + b"!"):
        assert tokens.read(junk) is None
