"""Generated code's constants and its compilation."""

from __future__ import annotations

from typing import Any


class Namespace:
    """Constants referenced by generated code, each bound to a fresh name."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}

    def bind(self, value: Any, hint: str = "k") -> str:
        name = f"_{hint}{len(self.names)}"
        self.names[name] = value
        return name

    def define(self, source: str, name: str) -> Any:
        code = compile(source, f"<cwfilter pattern {name}>", "exec")
        exec(code, self.names)  # noqa: S102 - our own generated source
        return self.names[name]
