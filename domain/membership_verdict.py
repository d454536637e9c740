"""What the gate decided about one member of one group, and what it did about it.

Decisions (verified, restricted, released, check failed) are recorded by the handlers. Outcomes
(mute applied or lifted, warning posted or removed) are recorded by the reactor that carries the
decisions out, so the log always tells whether a decision has reached Telegram yet.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import GateRuleError
from domain.ids import verdict_stream_id

UNKNOWN = "unknown"
VERIFIED = "verified"
RESTRICTED = "restricted"
RELEASED = "released"

# Why a member was restricted.
NOT_SUBSCRIBED = "not_subscribed"
CHECK_FAILED = "check_failed"
SEND_AS_CHANNEL = "send_as_channel"

# How a member was released.
VERIFY_PRESSED = "verify_pressed"
CHANNEL_JOIN_OBSERVED = "channel_join_observed"
BY_ADMIN = "admin"
GROUP_UNPROTECTED = "group_unprotected"
CHANNEL_UNLINKED = "channel_unlinked"
LEFT_GROUP = "left_group"


class MembershipVerdict(Aggregate):
    @staticmethod
    def create_id(chat_id: int, member_id: int) -> UUID:
        return verdict_stream_id(chat_id, member_id)

    @event("Opened")
    def __init__(self, chat_id: int, member_id: int, timestamp: datetime) -> None:
        self.chat_id = chat_id
        self.member_id = member_id
        self.status = UNKNOWN
        self.reason: str | None = None
        self.missing: list[int] = []
        self.action = "mute"
        self.prior_restrictions: list[str] = []
        self.mute_in_force = False  # True only while a mute the bot itself applied is in force
        self.warning_id: int | None = None
        self.warning_at: datetime | None = None
        self.warning_shared = False  # one notice for many members during a raid
        self.restricted_at: datetime | None = None
        self.join_request: str | None = None  # pending | approved | declined
        self.restricted_version = 0  # version of the latest restriction, so each gets one warning
        self.warning_for = 0

    @property
    def is_restricted(self) -> bool:
        return self.status == RESTRICTED

    # Decisions.

    def verify(self, channels: list[int], trigger: str, timestamp: datetime) -> bool:
        """Record a passed check; False when that would say nothing new."""
        if self.status == RESTRICTED:
            raise GateRuleError("A restricted member is released, not verified.")
        if self.status == VERIFIED:
            return False
        self._verified(channels=channels, trigger=trigger, timestamp=timestamp)
        return True

    def restrict(
        self,
        reason: str,
        missing: list[int],
        trigger: str,
        action: str,
        prior_restrictions: list[str],
        message_id: int | None,
        timestamp: datetime,
    ) -> bool:
        """Record a restriction; False when the member is already restricted for the same channels."""
        if reason == NOT_SUBSCRIBED and not missing:
            # Restricted as a non-subscriber while missing no channel: the record would contradict itself.
            raise GateRuleError("A member is restricted as a non-subscriber only for the channels they miss.")
        if self.status == RESTRICTED and sorted(missing) == sorted(self.missing) and message_id is None:
            return False
        self._restricted(
            reason=reason,
            missing=missing,
            trigger=trigger,
            action=action,
            prior_restrictions=sorted(prior_restrictions),
            message_id=message_id,
            timestamp=timestamp,
        )
        return True

    def release(self, how: str, by: int | None, timestamp: datetime) -> bool:
        if self.status != RESTRICTED:
            return False
        self._released(how=how, by=by, timestamp=timestamp)
        return True

    def check_failed(self, channels: list[int], error: str, strict: bool, timestamp: datetime) -> None:
        outcome = "restricted" if strict else "allowed"
        self._check_failed(channels=channels, error=error, strict=strict, outcome=outcome, timestamp=timestamp)

    # Outcomes, recorded by the reactor after Telegram answered.

    def mute_applied(self, timestamp: datetime) -> None:
        self._mute_applied(timestamp=timestamp)

    def mute_not_applied(self, error: str, timestamp: datetime) -> None:
        self._mute_not_applied(error=error, timestamp=timestamp)

    def mute_lifted(self, timestamp: datetime) -> None:
        self._mute_lifted(restored=list(self.prior_restrictions), timestamp=timestamp)

    def warning_posted(self, message_id: int, timestamp: datetime, shared: bool = False) -> None:
        self._warning_posted(message_id=message_id, shared=shared, timestamp=timestamp)

    def warning_removed(self, timestamp: datetime, reason: str = "released") -> None:
        if self.warning_id is not None:
            self._warning_removed(message_id=self.warning_id, reason=reason, timestamp=timestamp)

    def join_request_held(self, missing: list[int], timestamp: datetime) -> None:
        if self.join_request != "pending":
            self._join_request_held(missing=missing, timestamp=timestamp)

    def decide_join_request(self, approved: bool, reason: str, timestamp: datetime) -> bool:
        if self.join_request in ("approved", "declined"):
            return False
        self._join_request_decided(approved=approved, reason=reason, timestamp=timestamp)
        return True

    @property
    def needs_warning(self) -> bool:
        return self.status == RESTRICTED and self.warning_for != self.restricted_version

    def member_removed(self, timestamp: datetime) -> None:
        self._member_removed(timestamp=timestamp)

    # Events.

    @event("SubscriptionVerified")
    def _verified(self, channels: list[int], trigger: str, timestamp: datetime) -> None:
        self.status = VERIFIED
        self.missing = []

    @event("MemberRestricted")
    def _restricted(
        self,
        reason: str,
        missing: list[int],
        trigger: str,
        action: str,
        prior_restrictions: list[str],
        message_id: int | None,
        timestamp: datetime,
    ) -> None:
        if self.status != RESTRICTED:
            self.restricted_at = timestamp
            # A mute already in force keeps the restrictions recorded when it was applied.
            if not self.mute_in_force:
                self.prior_restrictions = list(prior_restrictions)
        self.status = RESTRICTED
        self.restricted_version = self.version + 1  # this event's own version
        self.reason = reason
        self.missing = list(missing)
        self.action = action

    @event("MemberReleased")
    def _released(self, how: str, by: int | None, timestamp: datetime) -> None:
        self.status = RELEASED
        self.reason = None
        self.missing = []
        self.restricted_at = None

    @event("CheckFailed")
    def _check_failed(self, channels: list[int], error: str, strict: bool, outcome: str, timestamp: datetime) -> None:
        pass

    @event("MuteApplied")
    def _mute_applied(self, timestamp: datetime) -> None:
        self.mute_in_force = True

    @event("MuteNotApplied")
    def _mute_not_applied(self, error: str, timestamp: datetime) -> None:
        pass

    @event("MuteLifted")
    def _mute_lifted(self, restored: list[str], timestamp: datetime) -> None:
        self.mute_in_force = False

    @event("WarningPosted")
    def _warning_posted(self, message_id: int, timestamp: datetime, shared: bool = False) -> None:
        self.warning_id = message_id
        self.warning_at = timestamp
        self.warning_shared = shared
        self.warning_for = self.restricted_version

    @event("WarningRemoved")
    def _warning_removed(self, message_id: int, timestamp: datetime, reason: str = "released") -> None:
        self.warning_id = None
        self.warning_at = None
        self.warning_shared = False

    @event("MemberRemoved")
    def _member_removed(self, timestamp: datetime) -> None:
        self.status = RELEASED
        self.mute_in_force = False

    @event("JoinRequestHeld")
    def _join_request_held(self, missing: list[int], timestamp: datetime) -> None:
        self.join_request = "pending"

    @event("JoinRequestDecided")
    def _join_request_decided(self, approved: bool, reason: str, timestamp: datetime) -> None:
        self.join_request = "approved" if approved else "declined"
