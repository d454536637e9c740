"""What the gate decided about one member of one group, and what it did about it.

Decisions (verified, restricted, released, check failed) are recorded by the handlers. Outcomes
(mute applied or lifted, warning posted or removed) are recorded by the reactor that carries the
decisions out, so the log always tells whether a decision has reached Telegram yet. Observations
(the member's place in the group as Telegram reported it) keep the two layers of restriction apart:
what the group's admins set, and what the bot added (see domain/standing.py).
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import GateRuleError
from domain.ids import verdict_stream_id
from domain.standing import Hold, Layer, added_by_mute, after_observing, in_group, is_group_admin, lifted_by_hand
from domain.subscription import NONE

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
BY_ADMIN = "admin"  # an admin lifted the bot's mute by hand
PROMOTED = "promoted"  # made an admin of the group
GROUP_UNPROTECTED = "group_unprotected"
CHANNEL_UNLINKED = "channel_unlinked"
LEFT_GROUP = "left_group"
EXEMPTED = "exempted"  # an admin exempted them (/exempt)
ADMIN_RELEASED = "admin_released"  # an admin freed them with /release: nothing remembered, checked afresh next time
REDECIDED = "redecided"  # a change to the group (a channel unlinked or unseen, a setting) left nothing missing


class MembershipVerdict(Aggregate):
    # Escalation (class defaults, so streams recorded before it replay as they did).
    offences = 0  # messages written while missing a channel, under the `escalate` action, since the last release
    mute_until: datetime | None = None  # the end of the timed mute the latest restriction asks for
    bot_until: datetime | None = None  # the end of the bot's timed mute in force on Telegram
    joined_at: datetime | None = None  # when the log saw the member join the group (grace: new, not "here before")
    released_at: datetime | None = None  # the latest release (admins' figures: released this week)
    # Released by /release: the member's next check asks Telegram, not the cache (see application/gate.py).
    recheck = False

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
        self.trigger: str | None = None
        self.admin_rights: list[str] = []  # what the group's admins set (the layer under the bot's mute)
        self.admin_until: datetime | None = None
        self.mute_in_force = False  # True only while a mute the bot itself applied is in force
        self.bot_rights: list[str] = []  # what the bot's mute added on top of the admins' layer
        self.standing: str | None = None  # the member's place in the group as Telegram last told it
        self.returned_version = 0  # version of the observation that brought the member back into the group
        self.name: str | None = None
        self.language: str | None = None  # the language Telegram said the member uses (their lang_code)
        self.channel_sender = False  # a person writing as one of their channels: no participant of the group
        self.warning_id: int | None = None
        self.warning_at: datetime | None = None
        self.warning_shared = False  # one notice for many members during a raid
        self.warning_key: int | None = None  # a warning meant to be sent under this idempotency key
        self.restricted_at: datetime | None = None
        self.join_request: str | None = None  # pending | approved | declined
        self.restricted_version = 0  # version of the latest restriction, so each gets one warning
        self.warning_for = 0

    @property
    def is_restricted(self) -> bool:
        return self.status == RESTRICTED

    @property
    def prior_restrictions(self) -> list[str]:
        return self.admin_rights

    @property
    def admins_layer(self) -> Layer:
        return Layer(frozenset(self.admin_rights), self.admin_until)

    @property
    def hold(self) -> Hold:
        return Hold(self.admins_layer, self.mute_in_force, frozenset(self.bot_rights), self.bot_until)

    @property
    def in_group(self) -> bool:
        return in_group(self.standing)

    @property
    def needs_warning(self) -> bool:
        return self.status == RESTRICTED and self.warning_for != self.restricted_version

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
        prior_restrictions: list[str] | None,
        message_id: int | None,
        timestamp: datetime,
        prior_until: datetime | None = None,
        offences: int | None = None,
        until: datetime | None = None,
    ) -> bool:
        """Record a restriction; False when it would repeat the one in force. `prior_restrictions` is the
        admins' layer as just read from Telegram, or None when it was not read (the log's stays).

        A member who came back into the group since is restricted afresh, so they get a new warning.
        """
        if reason == NOT_SUBSCRIBED and not missing:
            # Restricted as a non-subscriber while missing no channel: the record would contradict itself.
            raise GateRuleError("A member is restricted as a non-subscriber only for the channels they miss.")
        same = (
            self.status == RESTRICTED
            and sorted(missing) == sorted(self.missing)
            and (reason, action) == (self.reason, self.action)
            and (offences is None or offences == self.offences)
            and self.returned_version < self.restricted_version
        )
        if same and message_id is None:
            return False
        self._restricted(
            reason=reason,
            missing=missing,
            trigger=trigger,
            action=action,
            prior_restrictions=None if prior_restrictions is None else sorted(prior_restrictions),
            message_id=message_id,
            timestamp=timestamp,
            prior_until=prior_until,
            **({} if offences is None else {"offences": offences, "until": until}),
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

    def observe(
        self, standing: str, layer: Layer | None, actor: int | None, how: str, timestamp: datetime
    ) -> bool:
        """Record the member's place in the group as Telegram tells it (an update, or a read). `layer` is the
        restrictions Telegram holds for them, or None when the update did not say (a plain leave).

        Changes the bot made itself are not observations. An admin who lifted the bot's mute by hand, or
        made the member an admin, has released them: that is recorded too. False when nothing is new.
        """
        before = self.hold
        after = before if layer is None else after_observing(before, standing, layer)
        if standing == self.standing and after == before:
            return False
        restricted = self.status == RESTRICTED
        self._standing_observed(
            standing=standing,
            rights=None if layer is None else sorted(layer.rights),
            until=None if layer is None else layer.until,
            actor=actor,
            how=how,
            timestamp=timestamp,
        )
        if restricted and is_group_admin(standing):
            self._released(how=PROMOTED, by=actor, timestamp=timestamp)
        elif (restricted and self.action in ("mute", "escalate") and layer is not None
              and lifted_by_hand(before, standing, layer)
              and not (before.bot_until is not None and before.bot_until <= timestamp)):
            # (A timed mute that ended by itself was lifted by no one.)
            self._released(how=BY_ADMIN, by=actor, timestamp=timestamp)
        return True

    def name_known(self, name: str, timestamp: datetime) -> bool:
        if not name or name == self.name:
            return False
        self._named(name=name, timestamp=timestamp)
        return True

    def language_known(self, language: str, timestamp: datetime) -> bool:
        """Telegram told the member's language (their app's lang_code): their warnings are written in it."""
        if not language or language == self.language:
            return False
        self._language_known(language=language, timestamp=timestamp)
        return True

    # Outcomes, recorded by the reactor after Telegram answered.

    def mute_applied(self, timestamp: datetime, until: datetime | None = None) -> None:
        extra = {} if until is None else {"until": until}
        self._mute_applied(timestamp=timestamp, added=sorted(added_by_mute(self.admins_layer)), **extra)

    def mute_not_applied(self, error: str, timestamp: datetime) -> None:
        self._mute_not_applied(error=error, timestamp=timestamp)

    def mute_lifted(self, timestamp: datetime, restored: Layer | None = None) -> None:
        layer = restored if restored is not None else self.admins_layer
        self._mute_lifted(restored=sorted(layer.rights), until=layer.until, timestamp=timestamp)

    def warning_intended(self, key: int, timestamp: datetime) -> None:
        self._warning_intended(key=key, timestamp=timestamp)

    def warning_posted(self, message_id: int, timestamp: datetime, shared: bool = False) -> None:
        self._warning_posted(message_id=message_id, shared=shared, timestamp=timestamp)

    def warning_edited(self, timestamp: datetime) -> None:
        if self.warning_id is not None:
            self._warning_edited(message_id=self.warning_id, timestamp=timestamp)

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

    def member_removed(self, timestamp: datetime) -> None:
        self._member_removed(timestamp=timestamp)

    # What Telegram holds now, as far as the log knows: the two layers together.

    def _observed_rights(self) -> list[str]:
        if self.mute_in_force:
            return sorted(set(self.admin_rights) | set(self.bot_rights))
        return list(self.admin_rights)

    def _observed_until(self) -> datetime | None:
        return None if self.mute_in_force else self.admin_until

    # Events.

    @event("SubscriptionVerified")
    def _verified(self, channels: list[int], trigger: str, timestamp: datetime) -> None:
        if trigger == "join" and self.joined_at is None:
            self.joined_at = timestamp
        self.status = VERIFIED
        self.missing = []
        self.recheck = False

    @event("MemberRestricted")
    def _restricted(
        self,
        reason: str,
        missing: list[int],
        trigger: str,
        action: str,
        prior_restrictions: list[str] | None,
        message_id: int | None,
        timestamp: datetime,
        prior_until: datetime | None = None,
        offences: int | None = None,
        until: datetime | None = None,
    ) -> None:
        if self.status != RESTRICTED:
            self.restricted_at = timestamp
        if offences is not None:  # under the escalate action: the step reached, and a timed mute's end
            self.offences = offences
        self.mute_until = until
        if trigger == "join" and self.joined_at is None:
            self.joined_at = timestamp
        if prior_restrictions is not None and not self.mute_in_force:
            # Read from Telegram before the bot's own mute: what the admins had set. A mute already in force
            # keeps the layer known when it was applied (and updated by the admins' changes since).
            self.admin_rights = list(prior_restrictions)
            self.admin_until = prior_until
        self.status = RESTRICTED
        self.restricted_version = self.version + 1  # this event's own version
        self.reason = reason
        self.missing = list(missing)
        self.action = action
        self.trigger = trigger
        self.channel_sender = self.channel_sender or reason == SEND_AS_CHANNEL
        self.recheck = False

    @event("MemberReleased")
    def _released(self, how: str, by: int | None, timestamp: datetime) -> None:
        self.status = RELEASED
        self.released_at = timestamp
        self.reason = None
        self.missing = []
        self.restricted_at = None
        self.offences = 0  # released (subscribed, exempted...): a later lapse starts the steps again
        self.mute_until = None
        self.recheck = how == ADMIN_RELEASED

    @event("CheckFailed")
    def _check_failed(self, channels: list[int], error: str, strict: bool, outcome: str, timestamp: datetime) -> None:
        pass

    @event("StandingObserved")
    def _standing_observed(
        self, standing: str, rights: list[str] | None, until: datetime | None, actor: int | None, how: str,
        timestamp: datetime,
    ) -> None:
        if not in_group(self.standing) and in_group(standing):
            self.returned_version = self.version + 1  # this event's own version
        if how == "join" and in_group(standing) and self.joined_at is None:
            self.joined_at = timestamp
        self.standing = standing
        if rights is None:
            return  # Telegram did not say what it holds: the log's layers stay
        hold = after_observing(self.hold, standing, Layer(frozenset(rights), until))
        self.admin_rights = sorted(hold.admins.rights)
        self.admin_until = hold.admins.until
        self.mute_in_force = hold.mute_in_force
        self.bot_rights = sorted(hold.bot_added)
        self.bot_until = hold.bot_until

    @event("MemberNamed")
    def _named(self, name: str, timestamp: datetime) -> None:
        self.name = name

    @event("MemberLanguageKnown")
    def _language_known(self, language: str, timestamp: datetime) -> None:
        self.language = language

    @event("MuteApplied")
    def _mute_applied(self, timestamp: datetime, added: list[str] | None = None, until: datetime | None = None) -> None:
        self.mute_in_force = True
        self.bot_until = until
        # Logs from before the two layers were told apart carry no `added`: the bot added what the admins lacked.
        self.bot_rights = list(added) if added is not None else sorted(added_by_mute(self.admins_layer))

    @event("MuteNotApplied")
    def _mute_not_applied(self, error: str, timestamp: datetime) -> None:
        pass

    @event("MuteLifted")
    def _mute_lifted(self, restored: list[str], timestamp: datetime, until: datetime | None = None) -> None:
        self.mute_in_force = False
        self.bot_until = None
        self.bot_rights = []

    @event("WarningIntended")
    def _warning_intended(self, key: int, timestamp: datetime) -> None:
        self.warning_key = key

    @event("WarningPosted")
    def _warning_posted(self, message_id: int, timestamp: datetime, shared: bool = False) -> None:
        self.warning_id = message_id
        self.warning_at = timestamp
        self.warning_shared = shared
        self.warning_for = self.restricted_version
        self.warning_key = None

    @event("WarningEdited")
    def _warning_edited(self, message_id: int, timestamp: datetime) -> None:
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
        self.bot_rights = []
        self.bot_until = None
        self.standing = NONE

    @event("JoinRequestHeld")
    def _join_request_held(self, missing: list[int], timestamp: datetime) -> None:
        self.join_request = "pending"

    @event("JoinRequestDecided")
    def _join_request_decided(self, approved: bool, reason: str, timestamp: datetime) -> None:
        self.join_request = "approved" if approved else "declined"
