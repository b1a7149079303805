"""How a pattern sees a log event's message: text for terms, regex and fields, an
object for JSON patterns. Shared by the compiled matcher and the reference
interpreter so both read messages the same way."""

from __future__ import annotations

from typing import Any

import orjson

Message = str | bytes


def as_text(message: Message) -> str:
    """The message as text; undecodable bytes become U+FFFD, never an error."""
    if isinstance(message, str):
        return message
    return bytes(message).decode("utf-8", errors="replace")


def load_object(message: Message, *, prefix_scan: bool = False) -> dict[str, Any] | None:
    """The message parsed as a JSON object, or ``None`` when it is not one (§4.3):
    a JSON pattern then simply does not match. ``prefix_scan`` also accepts an object that
    follows a text prefix, as in Lambda's ``<time> <request id> INFO {...}`` lines (§4.3, Q6)."""
    try:
        doc = orjson.loads(message)
    except (orjson.JSONDecodeError, TypeError):
        return object_after_prefix(message) if prefix_scan else None
    return doc if type(doc) is dict else None


def object_after_prefix(message: Message) -> dict[str, Any] | None:
    """The JSON object that starts at the message's first ``{`` and runs to its end, if any."""
    if isinstance(message, str):
        start = message.find("{")
    else:
        message = bytes(message)
        start = message.find(b"{")
    if start <= 0:
        return None
    try:
        doc = orjson.loads(message[start:])
    except (orjson.JSONDecodeError, TypeError):
        return None
    return doc if type(doc) is dict else None


def number_text(value: int | float) -> str:
    """The text of a JSON number as compared with string operands (§4.5, [INF]).

    The parser keeps numbers, not their spelling, so ``1.50`` reads as ``1.5``
    and ``1e3`` as ``1000.0``; integers keep their exact digits.
    """
    return str(value) if type(value) is int else repr(value)
