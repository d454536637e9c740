"""What the readers' commands (timeline, explain, replay, report) say about a damaged log.

They check the log in the same pass that reads it (verify.Checker), so damage is found wherever it is, not
only in the streams shown: a removed row may have been anyone's. What they found is one section of their
output; what they could still read and rebuild is shown as usual.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from entrypoints.audit.rebuild import Stop
from entrypoints.audit.verify import Verification

# Problems of the log as a whole: a removed, moved or forged row could have belonged to any stream.
LOG_WIDE = {"link", "head", "reader", "order"}


@dataclass
class Damage:
    verification: Verification
    stops: list[Stop] = field(default_factory=list)  # streams the command could rebuild only up to a point

    def __bool__(self) -> bool:
        return bool(self.verification.problems or self.stops)

    @property
    def fails_verify(self) -> bool:
        """Whether `chanwarden audit verify` would exit 1 on this log: the same checks, judged the same way."""
        return not self.verification.ok()

    def warning(self) -> str | None:
        """The line a reading command opens with when the log would not verify, so no one reads on trusting it."""
        if not self.fails_verify:
            return None
        count = len(self.verification.failures())
        return (f"Warning: this log does not verify ({count} problem(s), listed at the end; `chanwarden audit "
                "verify` gives every check): what follows was read around the damage and cannot be trusted as is.")

    def touching(self, streams: set[str]) -> list[Any]:
        """The problems that bear on these streams' history: their own, and the log's as a whole."""
        return [p for p in self.verification.problems if p.stream in streams or p.kind in LOG_WIDE]

    def history(self, streams: set[str]) -> tuple[bool, str]:
        """Whether these streams' history is verified, and why (not), in one sentence."""
        verification = self.verification
        own = [p for p in verification.problems if p.stream in streams and p.kind not in LOG_WIDE]
        wide = [p for p in verification.problems if p.kind in LOG_WIDE]
        stopped = [s for s in self.stops if str(s.stream) in streams]
        if own or wide or stopped:
            reasons = []
            if own or stopped:
                kinds = sorted({p.kind for p in own} | ({"cannot be applied"} if stopped else set()))
                reasons.append(f"events of this history are damaged ({', '.join(kinds)})")
            if wide:
                reasons.append("rows of the log were removed, moved or altered, and some may have been part of it")
            return False, "This history is NOT verified: " + "; ".join(reasons) + " (see the damage below)."
        if verification.unchecked:
            return False, ("This history is NOT verified: the log chain is keyed and no key was given "
                           "(CHANWARDEN_AUDIT_KEY), so events removed or forged would not show.")
        if verification.problems:
            return True, "This history verifies, though the log has damage elsewhere (see below)."
        if not verification.linked:
            return True, ("This history verifies per stream: the log was written before the log chain, so a "
                          "stream's last events removed would not show.")
        if verification.keyed:
            return True, "This history verifies, checked with the audit key."
        return True, ("This history verifies (unkeyed chain: unless someone with write access recomputed it; "
                      "see `chanwarden audit verify`).")

    def to_dict(self) -> dict[str, Any]:
        return {
            "problems": [asdict(p) for p in self.verification.problems],
            "stopped": [s.to_dict() for s in self.stops],
            "notes": self.verification.notes,
        }
