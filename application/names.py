"""Members' names as updates told them, for the warnings and /status: a bounded cache, not a registry.

A name is only a courtesy (the log keeps names with the decisions that needed them), so the least recently
told are forgotten once there are more than `capacity`: a busy bot no longer grows by every writer it ever saw.
"""

from collections import OrderedDict

from application import messages

CAPACITY = 100_000


class Names:
    def __init__(self, capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("Names needs room for at least one name")
        self._capacity = capacity
        self._names: OrderedDict[int, str] = OrderedDict()

    def remember(self, member_id: int, name: str) -> None:
        self._names[member_id] = name
        self._names.move_to_end(member_id)
        if len(self._names) > self._capacity:
            self._names.popitem(last=False)

    def get(self, member_id: int, default: str = "") -> str:
        """The name last told, or `default`; a read counts as a use, so a name in use is kept."""
        name = self._names.get(member_id)
        if name is None:
            return default
        self._names.move_to_end(member_id)
        return name

    def of(self, member_id: int) -> str:
        """How a message addresses the member: their name, or a neutral word."""
        return self.get(member_id) or messages.UNNAMED_MEMBER  # in the language of the moment

    def __len__(self) -> int:
        return len(self._names)
