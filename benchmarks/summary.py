"""Lines a benchmark adds to the end of the run's terminal summary, under its own heading (a
plugin registered at run time: the shared ``conftest.py`` stays as it is)."""

from __future__ import annotations

from typing import Any

import pytest


class _Lines:
    def __init__(self, title: str, lines: list[str]) -> None:
        self.title = title
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section(self.title)
        for line in self.lines:
            terminalreporter.write_line(line)


def add_summary(config: pytest.Config, title: str, lines: list[str]) -> None:
    """Print ``lines`` under ``title`` when the run ends (once per title)."""
    if not config.pluginmanager.has_plugin(title):
        config.pluginmanager.register(_Lines(title, lines), title)
