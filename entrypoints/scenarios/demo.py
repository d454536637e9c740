"""`chanwarden demo`: a short story played on the simulated Telegram, told as it happens."""

from importlib import resources
from typing import Any

from rich.console import Console

from domain.ids import verdict_stream_id
from entrypoints.narration import describe
from entrypoints.scenarios.model import ScenarioError, load
from entrypoints.scenarios.runner import ScenarioRun
from entrypoints.scenarios.runner import describe as describe_step
from infrastructure.settings import Settings

AUDITED_MEMBER = 2


async def play(console: Console) -> int:
    path = resources.files("entrypoints.scenarios") / "stories" / "demo.yaml"
    try:
        scenario = load(str(path))
    except ScenarioError as error:
        console.print(f"[red]{error}[/red]")
        return 2
    run = ScenarioRun(scenario, Settings(event_store="sqlite"))
    await run.open()
    names = _namer(run)
    seen = 0
    failures = 0
    owners: dict[Any, str] = {}
    voice = _BotVoice(run)
    try:
        console.rule(f"[bold]{scenario.name}[/bold]")
        for number, step in enumerate(scenario.steps, start=1):
            result = await run.step(number, step)
            mark = "[green]✓[/green]" if result.ok else "[red]✗[/red]"
            failures += not result.ok
            console.print(f"{mark} [bold]{_plain(step, names)}[/bold]", highlight=False)
            if result.detail.startswith(("refused", "there is no")):
                console.print(f"    [yellow]{result.detail}[/yellow]", highlight=False)
            records = await run.store.read_all(after=seen, limit=10_000)
            for record in records:
                if type(record.event).__name__ == "Opened":
                    owners[record.event.originator_id] = names(record.event.member_id)
                    continue
                who = owners.get(record.event.originator_id)
                text = f"{who}: " + describe(record.event, names) if who else describe(record.event, names)
                console.print(f"    [dim]log #{record.position}[/dim] {text}", highlight=False)
            seen = records[-1].position if records else seen
            for text in voice.news():
                console.print(f"    [cyan]bot says:[/cyan] {text}", highlight=False)
        await _audit_trail(console, run, names)
        calls = ", ".join(f"{k} {v}" for k, v in sorted(run.telegram.calls.items()))
        console.print(f"\nTelegram calls made: {calls}", highlight=False)
        console.print(f"Events in the log: {await run.store.last_position()}")
    finally:
        await run.close()
    return 1 if failures else 0


def _namer(run: ScenarioRun) -> Any:
    def name_of(peer: Any) -> str:
        return run.world.name(peer) if isinstance(peer, int) else str(peer)

    return name_of


def _plain(step: Any, names: Any) -> str:
    if getattr(step, "do", None) == "message":
        return f"{names(step.from_)} writes: {step.text or step.kind}"
    if getattr(step, "do", None) == "command":
        return f"{names(step.from_)} types {step.text}"
    if getattr(step, "do", None) in ("join", "leave"):
        quiet = " (Telegram does not tell the bot)" if step.silent else ""
        return f"{names(step.user)} {step.do}s {names(step.chat)}{quiet}"
    if getattr(step, "do", None) == "click":
        whose = "" if step.target in (None, step.user) else f" on {names(step.target)}'s warning"
        return f"{names(step.user)} presses Verify{whose}"
    if getattr(step, "do", None) == "restart":
        return "the bot restarts: memory is gone, the log remains"
    if getattr(step, "expect", None) == "can_write":
        return f"check: {names(step.user)} {'can' if step.value else 'cannot'} write"
    return describe_step(step)


class _BotVoice:
    """What the bot said since the last look: new messages and answers to button presses."""

    def __init__(self, run: ScenarioRun) -> None:
        self._run = run
        self._shown: set[tuple[int, int, str]] = set()
        self._answers = 0

    def news(self) -> list[str]:
        texts = []
        for chat in self._run.world.chats.values():
            for message in chat.messages.values():
                key = (chat.id, message.id, message.text)
                if message.from_bot and key not in self._shown:
                    self._shown.add(key)
                    texts.append(message.text)
        answers = self._run.telegram.callback_answers
        texts += [text for _, text in answers[self._answers :]]
        self._answers = len(answers)
        return texts


async def _audit_trail(console: Console, run: ScenarioRun, names: Any) -> None:
    console.rule(f"[bold]audit trail of {names(AUDITED_MEMBER)} in {names(2001)}[/bold]")
    for event in await run.store.read_stream(verdict_stream_id(2001, AUDITED_MEMBER)):
        stamp = event.timestamp.strftime("%H:%M:%S")
        console.print(f"  v{event.originator_version} {stamp} {type(event).__name__:<22} {describe(event, names)}",
                      highlight=False)
