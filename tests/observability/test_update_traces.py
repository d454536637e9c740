"""One trace per update: the handler's span with the cache, Telegram and event store spans beneath it."""

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from entrypoints.scenarios.runner import ScenarioRun
from infrastructure.settings import Settings
from tests.observability.test_simulator_metrics import play, scenario


async def test_an_update_is_one_trace_through_handler_cache_gateway_and_store() -> None:
    run = ScenarioRun(scenario("[]"), Settings(event_store="memory", traces="console"))
    await run.open()
    exporter = InMemorySpanExporter()
    run.gatekeeper.telemetry.spans.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        await play(run, '- {do: command, chat: 2001, from: 11, text: "/protect @news"}')
        exporter.clear()
        await play(run, "- {do: message, chat: 2001, from: 3, text: hello}")  # Carol: asked of Telegram
    finally:
        await run.close()
        run.gatekeeper.telemetry.shutdown()
    spans = exporter.get_finished_spans()
    root = next(s for s in spans if s.name == "update.group_message")
    assert root.parent is None
    assert dict(root.attributes) == {"group": 2001, "user": 3, "update": root.attributes["update"],
                                     "outcome": "passed"}
    in_trace = {s.name for s in spans if s.context.trace_id == root.context.trace_id}
    assert {"cache.get_many", "cache.put", "telegram.get_participant", "event_store.append"} <= in_trace
    assert "event_store.load_stream" not in in_trace  # a member the views do not know: nothing to load
    assert {s.context.trace_id for s in spans if s.name.startswith("update.")} == {root.context.trace_id}
