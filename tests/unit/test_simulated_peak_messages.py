"""The simulated world's count of the bot's messages alive at once in a chat (what raid scenarios bound)."""

from adapters.simulated_telegram.model import Chat, Participant, Sender
from adapters.simulated_telegram.world import World


def test_the_peak_counts_the_bot_messages_alive_together_and_forgets_deleted_ones() -> None:
    world = World(bot_id=999)
    world.chats[1] = Chat(1, "group", "Chat", participants={7: Participant("member")})
    for n in range(50):
        world.post(1, Sender("user", 7), text=f"member message {n}")  # members' messages never count
    first, second, _ = (world.bot_post(1, f"warning {n}", [], None, 0.0) for n in range(3))
    assert world.peak_live[1] == 3
    first.deleted = second.deleted = True
    world.bot_post(1, "warning 4", [], None, 0.0)
    assert world.peak_live[1] == 3 and len(world.live_bot_messages(1)) == 2
    for n in range(3):
        world.bot_post(1, f"more {n}", [], None, 0.0)
    assert world.peak_live[1] == 5 == len(world.live_bot_messages(1))
