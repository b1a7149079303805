"""How a pattern sees a log event's message: text for terms, regex and fields, an
object for JSON patterns. Shared by the compiled matcher and the reference
interpreter so both read messages the same way."""

from __future__ import annotations

from typing import Any, Union

import orjson

# A log event's message: text, UTF-8 bytes (bytearray and memoryview too), or a JSON object
# already parsed (a dict), which every family reads as its compact JSON text.
Message = Union[str, bytes, bytearray, memoryview, "dict[str, Any]"]


def _wrong_type(message: object) -> TypeError:
    return TypeError(f"a log event message is str, bytes or a parsed JSON object (dict), not {type(message).__name__}")


def as_text(message: Message) -> str:
    """The message as text; undecodable bytes become U+FFFD, never an error; a dict is its
    compact JSON (as CloudTrail writes a record into CloudWatch Logs)."""
    if isinstance(message, str):
        return message
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message).decode("utf-8", errors="replace")
    if isinstance(message, dict):
        return orjson.dumps(message).decode("utf-8")
    raise _wrong_type(message)


def as_bytes(message: Message) -> bytes:
    """The message as UTF-8 bytes (a dict as its compact JSON)."""
    if isinstance(message, bytes):
        return message
    if isinstance(message, (bytearray, memoryview)):
        return bytes(message)
    if isinstance(message, str):
        return message.encode("utf-8", errors="surrogatepass")
    if isinstance(message, dict):
        return orjson.dumps(message)
    raise _wrong_type(message)


def load_object(message: Message, *, prefix_scan: bool = False) -> dict[str, Any] | None:
    """The message parsed as a JSON object, or ``None`` when it is not one (§4.3):
    a JSON pattern then simply does not match. ``prefix_scan`` also accepts an object that
    follows a text prefix, as in Lambda's ``<time> <request id> INFO {...}`` lines (§4.3, Q6)."""
    try:
        doc = orjson.loads(message)  # type: ignore[arg-type]
    except orjson.JSONDecodeError as exc:
        doc = refused_object(message, exc, prefix_scan=prefix_scan)
    return doc if type(doc) is dict else None


def refused_object(message: Message, exc: orjson.JSONDecodeError, *, prefix_scan: bool = False) -> Any:
    """What a message orjson refused (``exc``) reads as. A number beyond a double (``1e400``)
    is read as replay reads it (``sources.lenient``): an infinity, as an IEEE 754 double parse
    gives (§4.6), so that every command gives one verdict for one message. Otherwise a dict is
    already the object; text may hold one after a prefix (``prefix_scan``); any other type is a
    ``TypeError``."""
    if str(exc).startswith("number is infinity"):
        from ..sources import lenient

        try:
            return lenient.loads(as_bytes(message))
        except ValueError:
            return None
    if isinstance(message, dict):
        return message
    if not isinstance(message, (str, bytes, bytearray, memoryview)):
        raise _wrong_type(message)
    return object_after_prefix(message) if prefix_scan else None


def object_after_prefix(message: str | bytes | bytearray | memoryview) -> dict[str, Any] | None:
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
