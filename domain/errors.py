"""Rule violations. Each message is written for the admin who caused it."""


class GateRuleError(ValueError):
    """A command that would break one of the gate's rules; nothing was changed."""
