"""Adversarial regexes on 100 KB messages (issue 13): shapes that backtrack for minutes or
more under Python's ``re`` (``%a*a*a*a*a*a*b%`` took 16.7 s on an 80-byte message), timed
beside a literal regex on the same message in the same run, in each family that takes a
regex. RE2 makes every one linear in the message. ``pytest benchmarks/test_bench_regex.py
--benchmark-enable`` times them; the test suite runs each once as a smoke test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import cwfilter

SIZE = 100_000
A_RUN = "a" * SIZE
# A long user agent of word characters and spaces, without the "zzz" the pattern wants.
AGENT = ("Mozilla/5.0 aws-cli/2.15 Python/3.11 Linux/6.1 exe/x86_64 command/s3.cp " * (SIZE // 72 + 1))[:SIZE]

# family -> (message, literal baseline, adversarial patterns)
CASES: dict[str, tuple[str, str, list[str]]] = {
    "regex": (
        A_RUN,
        "%zzz%",
        [
            "%a*a*a*a*a*a*b%",
            "%a*a*b%",
            "%a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?a?aaaaaaaaaaaaaaaa{9}b%",
            "%a{0,1000}a{0,1000}a{0,1000}b%",
            "%\\w+\\w+\\w+\\w+\\d$%",
            "%.*.*.*=.*%",
        ],
    ),
    "json": (
        json.dumps({"eventName": "GetObject", "userAgent": AGENT}),
        "{ $.userAgent = %zzz% }",
        ["{ $.userAgent = %.*.*.*.*.*zzz% }", "{ $.userAgent = %^[\\x20-\\x7e]*[\\x20-\\x7e]*[\\x20-\\x7e]*z$% }"],
    ),
    "space": (
        "127.0.0.1 " + A_RUN,
        "[ip, agent = %zzz%]",
        ["[ip, agent = %a*a*a*a*b%]", "[ip, agent = %\\w*\\w*\\w*\\w*\\x21%]"],
    ),
}
PARAMS = [(family, text) for family, (_, literal, shapes) in CASES.items() for text in (literal, *shapes)]


@pytest.mark.parametrize(("family", "text"), PARAMS, ids=[f"{f}:{t}" for f, t in PARAMS])
def test_adversarial_regex_100kb(benchmark: Any, family: str, text: str) -> None:
    message, literal, _ = CASES[family]
    pattern = cwfilter.compile(text)
    assert pattern.family == family
    benchmark.group = f"regex on a 100 KB message, {family} family (baseline: {literal})"
    benchmark.extra_info["message_bytes"] = len(message)
    assert benchmark(pattern.matches, message) is False
