"""Commands loaded when they are run: ``soash --help`` imports none of the domains.

A lazy command is listed (with its one-line help) by a placeholder; the module behind it is
imported only when the command is resolved to run it or to show its own ``--help``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # the click that Typer vendors and builds on
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    target: str  # "module:attribute": a Typer app or a command function
    help: str


class _Placeholder(TyperCommand):
    def __init__(self, name: str, lazy: Lazy) -> None:
        super().__init__(name, help=lazy.help)
        self.lazy = lazy


def load(name: str, lazy: Lazy) -> click.Command:
    module, attribute = lazy.target.split(":")
    obj: Any = getattr(importlib.import_module(module), attribute)
    command: click.Command
    if isinstance(obj, typer.Typer):
        command = typer.main.get_group(obj)  # a group even when it holds one command
    else:
        single = typer.Typer()
        single.command(name)(obj)
        command = typer.main.get_command(single)
    command.name = name
    return command


def group(commands: Mapping[str, Lazy]) -> type[TyperGroup]:
    """A Typer group class (``typer.Typer(cls=...)``) that also holds ``commands``, lazily."""

    class LazyGroup(TyperGroup):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            for name, lazy in commands.items():
                self.commands.setdefault(name, _Placeholder(name, lazy))

        def resolve_command(
            self, ctx: click.Context, args: list[str]
        ) -> tuple[str | None, click.Command | None, list[str]]:
            name, command, rest = super().resolve_command(ctx, args)
            if name is not None and isinstance(command, _Placeholder):
                command = self.commands[name] = load(name, command.lazy)
            return name, command, rest

    return LazyGroup
