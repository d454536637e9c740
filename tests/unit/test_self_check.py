"""The self-check's judgement: every missing right named, and no verdict when Telegram did not answer."""

from application import messages
from application.handlers.self_check import report
from domain import self_check as sc
from domain.channel import Channel

EVERY = frozenset({"ban_users", "delete_messages", "invite_users", "pin_messages"})


def test_the_group_needs_to_ban_delete_and_invite() -> None:
    assert sc.judge_group(sc.Look(1, True, EVERY)).state == sc.State.READY
    missing = sc.judge_group(sc.Look(1, True, frozenset({"delete_messages"})))
    assert missing == sc.Finding(1, sc.State.MISSING_RIGHTS, ("ban_users", "invite_users"))
    assert sc.judge_group(sc.Look(1, True, None)) == sc.Finding(1, sc.State.NOT_ADMIN, sc.GROUP_NEEDS)
    assert sc.judge_group(sc.Look(1, False)).state == sc.State.UNKNOWN  # silence is not a verdict


def test_a_channel_needs_its_admin_and_a_private_one_its_invite_right() -> None:
    assert sc.judge_channel(sc.Look(2, True, frozenset()), private=False).state == sc.State.READY
    assert sc.judge_channel(sc.Look(2, True, frozenset()), private=True).missing == ("invite_users",)
    assert sc.judge_channel(sc.Look(2, True, None), private=False).state == sc.State.NOT_ADMIN
    assert sc.judge_channel(sc.Look(2, True, EVERY, sees=False), private=False).state == sc.State.BLIND
    assert sc.judge_channel(sc.Look(2, True, EVERY, sees=None), private=False).state == sc.State.READY


def test_the_report_names_each_missing_right_and_the_brief_one_stays_short_when_all_is_well() -> None:
    news = Channel(2, "News", "news")
    text = report("Chat", sc.Look(1, True, frozenset({"ban_users"})), [(news, sc.Look(2, True, None))])
    assert "This group: ✗ missing the right to delete messages, invite users via link" in text
    assert "Channel @news: ✗ I am not an admin" in text
    assert report("Chat", sc.Look(1, True, EVERY), [(news, sc.Look(2, True, EVERY))], brief=True) == \
        messages.CHECK_ALL_READY_BRIEF
