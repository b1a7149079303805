"""README.md is tested: every example in it runs against the files shipped in ``samples/`` and
prints what the README says it prints.

- A block (```` ``` ````, ``text``, ``sh``) of ``$ command`` lines: each command runs (bash, in a
  copy of ``samples/``), standard output and error together are compared with the lines that
  follow it; ``$ echo $?`` is the exit status of the command before. A line ``...`` stands for
  any lines, and ``...`` inside a line for any text.
- An ``sh`` block followed at once by an output block: the block runs as one script, and its
  output is compared (as JSON when the output block is ``json``).
- ``python`` blocks run; a ``>>>`` block is a doctest; elsewhere an expression whose comment
  (on its line or the lines just below) is a Python literal must equal it, and a ``print``
  of one line must print its comment.
Commands this test cannot run offline (``aws ...``) are skipped and counted; any other
unknown command fails the test, so a new example cannot escape it."""

from __future__ import annotations

import ast
import doctest
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RUNNABLE = ("cwfilter", "echo", "mkfifo", "cat")
OFFLINE_SKIPPED = ("aws ",)  # needs an AWS account: the README shows what it does
CIS = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
    "($.eventName = DeleteBucketReplication)) }"
)


@dataclass
class Block:
    info: str
    body: str
    line: int  # of the opening fence
    follows: Block | None = None  # the block just before, with only blank lines between


def _blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i, last_end = 0, -10
    while i < len(lines):
        m = re.fullmatch(r"```(\w*)", lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j] == "```")
        between = lines[last_end + 1 : i]
        block = Block(m.group(1), "\n".join(lines[i + 1 : end]) + "\n", i + 1)
        if blocks and last_end >= 0 and all(not s.strip() for s in between):
            block.follows = blocks[-1]
        blocks.append(block)
        i, last_end = end + 1, end
    return blocks


def _sessions(block: Block) -> list[tuple[str, str]]:
    """(command, expected output) of each ``$ `` line of a block."""
    out: list[tuple[str, str]] = []
    command: list[str] | None = None
    for line in block.body.splitlines():
        if line.startswith("$ "):
            command = [line[2:]]
            out.append(("", ""))
        elif command is not None and command[-1].endswith("\\"):
            command.append(line)
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
            continue
        else:
            continue
        out[-1] = ("\n".join(command), out[-1][1])
    return out


def _pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.rstrip("\n").splitlines():
        if line.strip() == "..." or line.startswith("...  "):
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(re.escape(line.rstrip()).replace(r"\.\.\.", ".*?") + r"[ \t]*\n")
    return re.compile("".join(parts), re.S)


def _same(expected: str, actual: str) -> bool:
    actual = "\n".join(line.rstrip() for line in actual.rstrip("\n").splitlines()) + "\n"
    if not expected.strip():
        return not actual.strip()
    return _pattern(expected).fullmatch(actual) is not None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "samples", work / "samples", symlinks=True)
    return work


def _run(script: str, work: Path) -> tuple[int, str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "CIS": CIS, "PYTHONUNBUFFERED": "1", "COLUMNS": "80", "NO_COLOR": "1"}  # fmt: skip
    done = subprocess.run(["bash", "-c", script], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", timeout=300)  # fmt: skip
    return done.returncode, done.stdout


BLOCKS = _blocks(README.read_text(encoding="utf-8"))
SESSIONS = [b for b in BLOCKS if b.info in ("", "text", "sh", "console") and re.search(r"^\$ ", b.body, re.M)]
SCRIPTS = [b for b in BLOCKS if b.info == "" and b.follows is not None and b.follows.info == "sh" and b not in SESSIONS]
SCRIPTS += [b for b in BLOCKS if b.info == "json" and b.follows is not None and b.follows.info == "sh"]
PYTHON = [b for b in BLOCKS if b.info == "python"]


def test_the_readme_has_examples_to_test() -> None:
    assert len(SESSIONS) >= 8 and len(SCRIPTS) >= 4 and len(PYTHON) >= 4


@pytest.mark.parametrize("block", SESSIONS, ids=lambda b: f"line{b.line}")
def test_readme_session(block: Block, workdir: Path) -> None:
    status = 0
    for command, expected in _sessions(block):
        if command.startswith(OFFLINE_SKIPPED):
            continue
        assert command.startswith(RUNNABLE), f"README line {block.line}: cannot run {command!r} offline"
        if command.strip() == "echo $?":
            actual = f"{status}\n"
        else:
            status, actual = _run(command, workdir)
        assert _same(expected, actual), (
            f"README line {block.line}: $ {command}\n--- expected\n{expected}--- got\n{actual}"
        )


@pytest.mark.parametrize("block", SCRIPTS, ids=lambda b: f"line{b.line}")
def test_readme_script_and_its_output(block: Block, workdir: Path) -> None:
    assert block.follows is not None
    script = block.follows.body
    assert script.startswith(RUNNABLE), f"README line {block.follows.line}: cannot run {script.split()[0]!r}"
    _, actual = _run(script, workdir)
    if block.info == "json":
        assert json.loads(actual) == json.loads(block.body), f"README line {block.line}"
    else:
        assert _same(block.body, actual), f"README line {block.line}:\n--- expected\n{block.body}--- got\n{actual}"


def _comment_after(lines: list[str], node: ast.stmt) -> str | None:
    """The comment of a statement: on its last line, else the ``#`` lines just below it."""
    end = node.end_lineno or node.lineno
    last = lines[end - 1]
    if "#" in last[node.end_col_offset or 0 :]:
        return last[last.index("#", node.end_col_offset or 0) + 1 :].strip()
    below = []
    for line in lines[end:]:
        if not line.startswith("#"):
            break
        below.append(line[1:].strip())
    return " ".join(below) or None


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return NotImplemented


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: f"line{b.line}")
def test_readme_python(block: Block, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    if ">>>" in block.body:
        test = doctest.DocTestParser().get_doctest(block.body, {}, f"README line {block.line}", str(README), block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.summarize(verbose=False).failed == 0
        return
    lines = block.body.splitlines()
    printed: dict[int, str] = {}

    def recording_print(*args: object, **_: object) -> None:  # what each README line prints
        line = sys._getframe(1).f_lineno
        printed[line] = printed.get(line, "") + " ".join(map(str, args)) + "\n"

    scope: dict[str, object] = {"print": recording_print}
    checked = 0
    for node in ast.parse(block.body).body:
        where = f"README line {block.line + node.lineno}: {ast.get_source_segment(block.body, node)}"
        comment = _comment_after(lines, node)
        if isinstance(node, ast.Expr) and comment is not None and not _is_print(node):
            value = eval(compile(ast.Expression(node.value), "README", "eval"), scope)
            if _literal(comment) is not NotImplemented:
                assert value == _literal(comment), f"{where} gave {value!r}"
                checked += 1
            elif comment == repr(value):
                checked += 1
            continue
        exec(compile(ast.Module([node], []), "README", "exec"), scope)  # noqa: S102 - the README's own code
    for line, text in printed.items():
        comment = lines[line - 1].partition("#")[2].strip()
        if comment and text.count("\n") == 1:
            assert text.strip() == comment, f"README line {block.line + line}: printed {text!r}"
            checked += 1
    assert checked, f"README line {block.line}: no printed comment checked"


def _is_print(node: ast.Expr) -> bool:
    return isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) and node.value.func.id == "print"
