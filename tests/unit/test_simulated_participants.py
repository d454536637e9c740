"""The simulated chat's admin index follows every way its participants change."""

import copy
import pickle

from hypothesis import given
from hypothesis import strategies as st

from adapters.simulated_telegram.model import Chat, Participant
from domain import subscription as sub

STATUSES = [sub.CREATOR, sub.ADMIN, sub.MEMBER, sub.RESTRICTED, sub.LEFT]
users = st.integers(1, 6)
participants = st.builds(Participant, st.sampled_from(STATUSES))
operations = st.one_of(
    st.tuples(st.just("set"), users, participants),
    st.tuples(st.just("del"), users),
    st.tuples(st.just("pop"), users),
    st.tuples(st.just("setdefault"), users, participants),
    st.tuples(st.just("update"), st.dictionaries(users, participants, max_size=3)),
    st.tuples(st.just("replace"), st.dictionaries(users, participants, max_size=4)),
    st.tuples(st.just("clear")),
)


def scanned(chat: Chat) -> set[int]:
    return {u for u, p in chat.participants.items() if p.status in (sub.ADMIN, sub.CREATOR)}


@given(st.lists(operations, max_size=30))
def test_admins_always_equal_a_scan_of_the_participants(ops: list[tuple]) -> None:
    chat = Chat(1, "group", "Chat", participants={9: Participant(sub.CREATOR)})
    for op, *args in ops:
        members = chat.participants
        if op == "set":
            members[args[0]] = args[1]
        elif op == "del" and args[0] in members:
            del members[args[0]]
        elif op == "pop":
            members.pop(args[0], None)
        elif op == "setdefault":
            members.setdefault(args[0], args[1])
        elif op == "update":
            members.update(args[0])
        elif op == "replace":
            chat.participants = dict(args[0])  # as tests building a world do
        elif op == "clear":
            members.clear()
        assert chat.admins() == scanned(chat)


def test_a_copied_or_pickled_chat_keeps_its_admins() -> None:
    chat = Chat(1, "group", "Chat", participants={9: Participant(sub.CREATOR), 5: Participant(sub.MEMBER)})
    for twin in (copy.deepcopy(chat), pickle.loads(pickle.dumps(chat))):
        twin.participants[5] = Participant(sub.ADMIN)
        assert twin.admins() == {9, 5} and chat.admins() == {9}
