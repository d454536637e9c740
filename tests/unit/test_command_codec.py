"""Every gate command survives the spool's codec, whatever its fields hold: new commands are covered as they
are added to the `Command` union, and a field of a type the codec cannot keep fails here, not in an outage."""

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.commands import Command
from application.ports.telegram import Participant
from infrastructure.command_codec import CommandCodec, CommandCodecError
from tests.reliability.profiles import FAST

ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=3, minutes=30)), timezone(-timedelta(hours=8))])
PLAIN = {
    int: st.integers(min_value=-(2**70), max_value=2**70),  # Telegram ids are 64-bit; the codec must not care
    str: st.text(),
    bytes: st.binary(max_size=80),
    bool: st.booleans(),
    float: st.floats(allow_nan=False),  # NaN is never equal to itself, so a round trip could not be compared
    datetime: st.datetimes(timezones=ZONES),
    date: st.dates(),
    UUID: st.uuids(),
    type(None): st.none(),
}


def values_of(hint: typing.Any) -> st.SearchStrategy:
    """Values of a field's declared type, built from the type alone."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in PLAIN:
        return PLAIN[hint]
    if dataclasses.is_dataclass(hint):
        fields = typing.get_type_hints(hint)
        return st.builds(hint, **{f.name: values_of(fields[f.name]) for f in dataclasses.fields(hint) if f.init})
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_of(arg) for arg in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (frozenset, set):
        return (st.frozensets if origin is frozenset else st.sets)(values_of(args[0]), max_size=4)
    if origin is list:
        return st.lists(values_of(args[0]), max_size=4)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(values_of(args[0]), max_size=4).map(tuple)
        return st.tuples(*(values_of(arg) for arg in args))
    if origin is dict:
        return st.dictionaries(values_of(args[0]), values_of(args[1]), max_size=4)
    raise AssertionError(f"no values for {hint!r}: teach this test (and the spool's codec) that type")


COMMAND_TYPES = typing.get_args(Command)
CODEC = CommandCodec()


@pytest.mark.parametrize("command_type", COMMAND_TYPES, ids=lambda t: t.__name__)
def test_every_command_type_round_trips(command_type: type) -> None:
    @FAST
    @given(values_of(command_type))
    def round_trip(command) -> None:
        text = CODEC.encode(command)
        back = CODEC.decode(text)
        assert back == command and type(back) is command_type
        assert CODEC.encode(back) == text  # the same command always gives the same text

    round_trip()


def test_nested_values_keep_their_types() -> None:
    when = datetime(2026, 1, 10, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=3)))
    value = {"tuple": (1, "a"), "set": {2, 3}, "frozen": frozenset({b"\x00"}), "when": when,
             "nested": [Participant("member", frozenset({"send_media"}))], 7: None}
    back = CODEC._unpack(CODEC._pack(value))
    assert back == value
    assert isinstance(back["tuple"], tuple) and isinstance(back["set"], set)
    assert back["when"].utcoffset() == when.utcoffset()


def test_only_command_types_are_kept_or_built() -> None:
    @dataclasses.dataclass(frozen=True)
    class Stranger:
        x: int

    with pytest.raises(TypeError):
        CODEC.encode(Stranger(1))
    with pytest.raises(CommandCodecError):
        CODEC.decode('{"$type": "Stranger", "fields": {"x": 1}}')
    for damaged in ("", "{", '{"$type": "GroupMessage", "fields": {"no_such_field": 1}}', '{"$what": 1}',
                    '{"$bytes": "not base64!"}'):
        with pytest.raises(CommandCodecError):
            CODEC.decode(damaged)
