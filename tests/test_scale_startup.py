"""Start-up of the command: only the command asked for is loaded, ``import cwfilter`` loads
no room until a name is used, and patterns are parsed without importing lark (timings are
measured by ``benchmarks/test_bench_startup.py``, never asserted here)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import cwfilter
from cwfilter import cli


def _modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True, env={**os.environ, **(env or {})})  # fmt: skip
    return set(out.stdout.split())


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    parser = cli._parser([])  # every module
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == set(cli.COMMANDS)  # type: ignore[union-attr]
    for command, module in cli.COMMANDS.items():
        alone = cli._parser([command])
        chosen = next(a for a in alone._actions if a.dest == "command")
        assert command in chosen.choices, module  # type: ignore[union-attr]


def test_import_cwfilter_loads_no_room_until_a_name_is_used() -> None:
    assert not {"lark", "cwfilter.pattern", "cwfilter.replayer", "cwfilter.alarm"} & _modules_after("import cwfilter")
    loaded = _modules_after("import cwfilter; cwfilter.compile('x')")
    assert "cwfilter.pattern" in loaded and "cwfilter.replayer" not in loaded
    assert "replay" in dir(cwfilter)
    with pytest.raises(AttributeError):
        cwfilter.no_such_name  # noqa: B018


def test_cwfilter_replay_is_the_function_even_once_the_package_is_imported() -> None:
    import cwfilter.replayer.driver  # the package has its own name: nothing rebinds cwfilter.replay

    assert callable(cwfilter.replay)
    from cwfilter import MetricFilter

    result = cwfilter.replay([(0, '{"a": 1}')], MetricFilter("{ $.a = 1 }", metric_name="M", namespace="N"))
    assert result.accounting.matched == 1


def test_check_loads_neither_replay_nor_the_alarm_nor_jmespath() -> None:
    loaded = _modules_after("from cwfilter.cli import main\nmain(['check', 'x'])")
    assert not {"cwfilter.replayer", "cwfilter.alarm", "cwfilter.audit", "jmespath", "importlib.metadata"} & loaded


def test_check_parses_without_importing_lark() -> None:
    """The parser runs from tables lark wrote at build time (``pattern/lalr_tables.py``)."""
    loaded = _modules_after("from cwfilter.cli import main\nmain(['check', '{ $.a = 1 && $.b IS NULL }'])")
    assert "cwfilter.pattern.lalr" in loaded and not {m for m in loaded if m == "lark" or m.startswith("lark.")}


def test_version_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"cwfilter {cwfilter.__version__}\n"
