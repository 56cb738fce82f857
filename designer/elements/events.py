"""Typed events of the designer's own elements: a browser event's arguments checked into a dataclass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui.element import Element
from nicegui.events import GenericEventArguments, Handler, UiEventArguments, handle_event


def subscribe(element: Element, event: str, arguments: type[UiEventArguments], callback: Handler[Any],
              fields: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Call `callback` with `arguments` made from what `fields` takes out of each `event` the browser sends (a dict;
    anything else counts as an empty one)."""

    def handle(e: GenericEventArguments) -> None:
        args = e.args if isinstance(e.args, dict) else {}
        handle_event(callback, arguments(sender=element, client=element.client, **fields(args)))

    element.on(event, handle)
