"""Every Telethon failure reaches the application as the TelegramError kind it decides on."""

import pytest
from fake_sender import BOT_ID, offline_client
from telethon import errors, functions, types
from tg_world import CHATS, GROUP, USER, USERS

from adapters.telethon.errors import telegram_errors, translate
from adapters.telethon.gateway import TelethonGateway
from application.ports.telegram import TelegramError
from domain.rights import MUTE

REQ = functions.channels.EditBannedRequest

CASES = [
    (lambda r: errors.FloodWaitError(r, capture=5), TelegramError.FLOOD_WAIT),
    (errors.ChatAdminRequiredError, TelegramError.NOT_ADMIN),
    (errors.ChannelPrivateError, TelegramError.NOT_ADMIN),
    (errors.RightForbiddenError, TelegramError.NOT_ADMIN),
    (errors.MessageDeleteForbiddenError, TelegramError.NOT_ADMIN),
    (errors.UserAdminInvalidError, TelegramError.TARGET_IS_ADMIN),
    (errors.UserIdInvalidError, TelegramError.NOT_FOUND),
    (errors.ChannelInvalidError, TelegramError.NOT_FOUND),
    (errors.ParticipantIdInvalidError, TelegramError.NOT_FOUND),
    (errors.UsernameNotOccupiedError, TelegramError.NOT_FOUND),
    (errors.UsernameInvalidError, TelegramError.NOT_FOUND),
    (errors.MessageIdInvalidError, TelegramError.NOT_FOUND),
    (errors.HideRequesterMissingError, TelegramError.NOT_FOUND),
    (errors.UserNotParticipantError, TelegramError.NOT_PARTICIPANT),
    (errors.RandomIdDuplicateError, TelegramError.DUPLICATE),
    (lambda r: TimeoutError(), TelegramError.TIMEOUT),
    (lambda r: ConnectionError("offline"), TelegramError.TIMEOUT),
    (errors.PeerIdInvalidError, TelegramError.INTERNAL),  # any other RPC error
    (lambda r: errors.RPCError(r, "SOMETHING_NEW", 400), TelegramError.INTERNAL),
]


@pytest.mark.parametrize(("error", "kind"), CASES)
async def test_a_failed_call_raises_the_mapped_kind(error, kind):
    client, sender = offline_client(USERS, CHATS)
    sender.fail(REQ, error)
    with pytest.raises(TelegramError) as caught:
        await TelethonGateway(client, BOT_ID).restrict(GROUP, USER, MUTE)
    assert caught.value.kind == kind
    assert not isinstance(caught.value.__cause__, TelegramError)


async def test_flood_wait_carries_the_wait():
    client, sender = offline_client(USERS, CHATS)
    sender.fail(REQ, lambda r: errors.FloodWaitError(r, capture=5))
    with pytest.raises(TelegramError) as caught:
        await TelethonGateway(client, BOT_ID).kick(GROUP, USER)
    assert caught.value.retry_after == 5.0 and caught.value.is_transient


async def test_a_failed_batch_is_decided_by_its_first_failure():
    client, sender = offline_client(USERS, CHATS)
    sender.fail(REQ, errors.ChatAdminRequiredError)
    rights = types.ChatBannedRights(None)
    request = REQ(types.InputChannel(GROUP, GROUP + 1), types.InputPeerUser(USER, USER + 1), rights)
    with pytest.raises(errors.MultiError) as batch:
        await client([request, request])  # a list of requests fails as one MultiError
    assert translate(batch.value).kind == TelegramError.NOT_ADMIN


def test_programming_errors_pass_through():
    with pytest.raises(KeyError), telegram_errors("test"):
        raise KeyError("bug")
    assert translate(ValueError()) is None
