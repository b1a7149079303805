"""The hot matching path: one CloudTrail record against the CWL-012 pattern.

Each group times cwfilter's compiled matcher beside a hand-written baseline that
does the least work possible for this one pattern (``orjson.loads`` and two dict
lookups), measured in the same run. ``make bench`` runs them with timing; the test
suite runs each once as a smoke test (timings never decide pass or fail).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import orjson
import pytest

import cwfilter
from cwfilter.pattern import reference

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CWL012 = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) "
    "|| ($.eventName = DeleteBucketReplication)) }"
)
CWL012_NAMES = frozenset(
    "PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication DeleteBucketPolicy "
    "DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication".split()
)

RECORDS = {orjson.loads(line)["eventName"]: line for line in (SAMPLES / "cloudtrail-events.jsonl").read_bytes().splitlines()}
MESSAGES = {
    "match": RECORDS["PutBucketPolicy"],  # s3 + one of the nine names
    "nonmatch": RECORDS["GetBucketAcl"],  # s3, but a read: fails on eventName
}


def baseline(message: str | bytes) -> bool:
    """The fastest honest hand-written check of this one pattern."""
    d = orjson.loads(message)
    return d.get("eventSource") == "s3.amazonaws.com" and d.get("eventName") in CWL012_NAMES


PATTERN = cwfilter.compile(CWL012)
MATCHERS: dict[str, Callable[[Any], bool]] = {
    "cwfilter": PATTERN.matches,
    "baseline-orjson-dict": baseline,
    "reference-interpreter": lambda m: reference.matches(PATTERN.ast, m),
}


@pytest.mark.parametrize("kind", ["match", "nonmatch"])
@pytest.mark.parametrize("encoding", ["str", "bytes"])
@pytest.mark.parametrize("impl", list(MATCHERS))
def test_cwl012_one_record(benchmark: Any, impl: str, encoding: str, kind: str) -> None:
    message: str | bytes = MESSAGES[kind]
    if encoding == "str":
        message = message.decode()  # type: ignore[union-attr]
    benchmark.group = f"CWL-012 {encoding} {kind}"
    benchmark.extra_info["message_bytes"] = len(MESSAGES[kind])
    result = benchmark(MATCHERS[impl], message)
    assert result is (kind == "match")


PATTERNS = {
    "terms": ('"PutBucketPolicy" -AccessDenied', RECORDS["PutBucketPolicy"]),
    "regex": ("%PutBucket[AP][co]%", RECORDS["PutBucketPolicy"]),
    "space": ("[ip, id, user, timestamp, request, status_code = 4*, bytes > 100]",
              b'127.0.0.1 - frank [04/Mar/2024:09:01:13 +0000] "GET /missing.html HTTP/1.1" 404 287'),
}


@pytest.mark.parametrize("family", list(PATTERNS))
def test_other_families_one_message(benchmark: Any, family: str) -> None:
    text, message = PATTERNS[family]
    p = cwfilter.compile(text)
    benchmark.group = "other families (bytes)"
    assert benchmark(p.matches, message) is True
