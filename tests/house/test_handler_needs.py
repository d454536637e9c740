"""Handlers say what they need: a handler (and each helper it hands the context to) takes `ctx: Needs`, its
module's protocol, and uses nothing of the context beyond it; what a helper needs is part of its caller's."""

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import textwrap
from typing import Any, Protocol

import application.handlers

# The application's modules whose functions are handed the context by the gatekeeper or by a handler.
HELPERS = ["application.gate", "application.verdicts", "application.warnings", "application.outage",
           "application.redecide"]


def handler_modules() -> list[str]:
    return [f"application.handlers.{m.name}" for m in pkgutil.iter_modules(application.handlers.__path__)]


def members(protocol: type) -> set[str]:
    """Every attribute and method a protocol (with those it is made of) declares."""
    found: set[str] = set()
    for cls in protocol.__mro__:
        if cls in (Protocol, object, Any) or not getattr(cls, "_is_protocol", False):
            continue
        found |= set(getattr(cls, "__annotations__", {}))
        found |= {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}
    return found


def needs_of(function: Any) -> type | None:
    """The protocol a function's `ctx` parameter is annotated with, if it is one."""
    parameter = inspect.signature(function).parameters.get("ctx")
    if parameter is None:
        return None
    annotation = parameter.annotation
    if isinstance(annotation, str):
        annotation = getattr(inspect.getmodule(function), annotation, None)
    return annotation if getattr(annotation, "_is_protocol", False) else None


def functions_taking_ctx(module: Any) -> list[Any]:
    return [f for _, f in inspect.getmembers(module, inspect.isfunction)
            if f.__module__ == module.__name__ and "ctx" in inspect.signature(f).parameters]


def uses(function: Any) -> tuple[set[str], list[str]]:
    """Attributes read from `ctx`, and the names of the functions `ctx` is handed to, in the function's body."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    attributes, callees = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ctx":
            attributes.add(node.attr)
        handed = isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id == "ctx" for a in node.args)
        if handed and isinstance(node.func, ast.Name):
            callees.append(node.func.id)
    return attributes, callees


def check(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    problems = []
    for function in functions_taking_ctx(module):
        where = f"{module_name}.{function.__name__}"
        needs = needs_of(function)
        if needs is None:
            problems.append(f"{where} takes a ctx that says nothing of what it needs")
            continue
        declared = members(needs)
        attributes, callees = uses(function)
        if attributes - declared:
            problems.append(f"{where} uses {sorted(attributes - declared)} beyond what {needs.__name__} declares")
        for name in callees:
            callee = getattr(module, name, None)
            if not inspect.isfunction(callee):
                continue
            wanted = needs_of(callee)
            if wanted is None:
                problems.append(f"{where} hands ctx to {name}, which says nothing of what it needs")
            elif members(wanted) - declared:
                problems.append(f"{where} hands ctx to {name}, which needs {sorted(members(wanted) - declared)} "
                                f"beyond what {needs.__name__} declares")
    return problems


def test_every_handler_and_helper_uses_only_what_it_declares() -> None:
    problems = [p for name in handler_modules() + HELPERS for p in check(name)]
    assert problems == []


def test_the_gate_context_offers_everything_any_handler_needs() -> None:
    from application.context import GateContext

    offered = {f.name for f in dataclasses.fields(GateContext)} | set(dir(GateContext))
    for name in handler_modules() + HELPERS:
        needs = getattr(importlib.import_module(name), "Needs", None)
        if needs is not None:
            assert members(needs) <= offered, (name, members(needs) - offered)


def test_the_check_finds_an_undeclared_use() -> None:
    from application.needs import UsesClock

    class Needs(UsesClock, Protocol):
        pass

    async def handler(ctx: Needs, cmd: Any) -> None:
        ctx.clock.now()
        await ctx.gateway.send_message(1, "hi")

    attributes, _ = uses(handler)
    assert attributes - members(needs_of(handler)) == {"gateway"}
