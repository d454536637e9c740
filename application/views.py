"""How an aggregate's state reads as a view (the read models hold exactly these)."""

from application.ports.read_models import GroupView, VerdictView
from domain.membership_verdict import MembershipVerdict
from domain.protected_group import ProtectedGroup


def group_view(group: ProtectedGroup) -> GroupView:
    return GroupView(
        chat_id=group.chat_id,
        title=group.title,
        protected=group.protected,
        channels=group.linked,
        settings=dict(group.settings_data),
        blind=list(group.blind),
        exempt=group.exempt_ids,
    )


def verdict_view(verdict: MembershipVerdict) -> VerdictView:
    return VerdictView(
        chat_id=verdict.chat_id,
        member_id=verdict.member_id,
        status=verdict.status,
        reason=verdict.reason,
        missing=list(verdict.missing),
        since=verdict.restricted_at,
        join_request=verdict.join_request,
        warning_id=verdict.warning_id,
        warning_at=verdict.warning_at,
        warning_shared=verdict.warning_shared,
        standing=verdict.standing,
        mute_in_force=verdict.mute_in_force,
        name=verdict.name,
        released_at=verdict.released_at,
        recheck=verdict.recheck,
    )
