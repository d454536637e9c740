"""The /check report: the bot's rights in the group and in each linked channel, and what to change.

Texts in English, translated through the catalogs like every text of application/messages.py.
"""

from application.i18n import N_
from application.messages import _, channel_name
from domain import self_check as sc
from domain.channel import Channel

RIGHT_WORDS = {
    "ban_users": N_("ban users (to mute and release members)"),
    "delete_messages": N_("delete messages"),
    "invite_users": N_("invite users via link (to approve join requests and share a private channel)"),
}


def _right(name: str) -> str:
    return _(RIGHT_WORDS[name]) if name in RIGHT_WORDS else name.replace("_", " ")


def _finding(where: str, finding: sc.Finding, channel: bool) -> str:
    rights = ", ".join(map(_right, finding.missing))
    if finding.state == sc.State.READY:
        done = _("admin, and I can see subscribers") if channel else _("every right I need")
        return f"{where}: ✓ {done}"
    if finding.state == sc.State.UNKNOWN:
        return f"{where}: ? " + _("Telegram did not answer just now; send /check again in a minute")
    if finding.state == sc.State.NOT_ADMIN:
        if channel:
            return f"{where}: ✗ " + _("I am not an admin, so I cannot see who subscribes. Make me an admin there")
        return f"{where}: ✗ " + _("I am not an admin. Make me an admin with: {rights}").format(rights=rights)
    if finding.state == sc.State.BLIND:
        return f"{where}: ✗ " + _(
            "I am an admin but Telegram does not show me subscribers. Re-add me as an admin there"
        )
    return f"{where}: ✗ " + _("missing the right to {rights}. Edit my admin rights there and turn it on").format(
        rights=rights
    )


def check_report(title: str, group: sc.Finding, channels: list[tuple[Channel, sc.Finding]]) -> str:
    ready = group.state == sc.State.READY and all(f.state == sc.State.READY for _c, f in channels)
    verdict = _("all good ✓") if ready else _("something needs changing")
    lines = [_("Self-check for {title}: {verdict}").format(title=title, verdict=verdict)]
    lines.append(_finding(_("This group"), group, channel=False))
    lines += [
        _finding(_("Channel {name}").format(name=channel_name(c)), f, channel=True) for c, f in channels
    ]
    return "\n".join(lines)
