"""A scenario report for people: one line a step with ✓ or ✗."""

from rich.console import Console

from entrypoints.scenarios.report import Report


def print_report(console: Console, report: Report) -> None:
    console.print(f"[bold]{report.scenario}[/bold] ({report.transport}, {report.event_store} store)")
    for step in report.steps:
        mark = "[yellow]-[/yellow]" if step.skipped else "[green]✓[/green]" if step.ok else "[red]✗[/red]"
        detail = f"  [dim]{step.detail}[/dim]" if step.detail else ""
        console.print(f" {mark} {step.number:>3} {step.step}{detail}", highlight=False)
    calls = ", ".join(f"{k}={v}" for k, v in report.api_calls.items()) or "none"
    console.print(f"Telegram calls: {calls}", highlight=False)
    verdict = "[green]passed[/green]" if report.ok else f"[red]{len(report.failures)} failed[/red]"
    console.print(f"{len(report.steps)} steps, {verdict}")
    if report.kept:
        env = " ".join(f"{k}={v}" for k, v in report.kept.items())
        console.print(f"The run's data is kept. Inspect it with: {env} chanwarden audit timeline --group GROUP",
                      highlight=False, soft_wrap=True)
