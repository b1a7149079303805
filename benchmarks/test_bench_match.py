"""The hot matching path: one CloudTrail record against the CWL-012 pattern.

Each group times cwfilter's compiled matcher beside a hand-written baseline that
does the least work possible for this one pattern (``orjson.loads`` and two dict
lookups), measured in the same run. ``make bench`` runs them with timing; the test
suite runs each once as a smoke test (timings never decide pass or fail).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import cwfilter
from cwfilter.pattern import reference
from cwfilter.replayer import plan as fastpath
from tests.synth import CWL012_NAMES as CWL012_EVENT_NAMES

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CWL012 = (
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
    "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
    "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) "
    "|| ($.eventName = DeleteBucketReplication)) }"
)
CWL012_NAMES = frozenset(CWL012_EVENT_NAMES)

RECORDS = {
    orjson.loads(line)["eventName"]: line for line in (SAMPLES / "cloudtrail-events.jsonl").read_bytes().splitlines()
}
MESSAGES = {
    "match": RECORDS["PutBucketPolicy"],  # s3 + one of the nine names
    "nonmatch": RECORDS["GetBucketAcl"],  # s3, but a read: fails on eventName (passes the pre-filter)
    # another service: the raw-text pre-filter rejects it without parsing
    "nonmatch-other-service": RECORDS["GetBucketAcl"].replace(b'"s3.amazonaws.com"', b'"kms.amazonaws.com"'),
}


def baseline(message: str | bytes) -> bool:
    """The fastest honest hand-written check of this one pattern."""
    d = orjson.loads(message)
    return d.get("eventSource") == "s3.amazonaws.com" and d.get("eventName") in CWL012_NAMES


PATTERN = cwfilter.compile(CWL012)
PLAN = fastpath.record_plan(PATTERN.ast)  # type: ignore[arg-type]


def msgspec_record(message: str | bytes) -> bool:
    """The replay fast path on one message: a schema of the two fields, then the expression."""
    record = PLAN.decode_one(message)  # type: ignore[union-attr]
    return record is not None and PLAN.match(record)  # type: ignore[union-attr]


MATCHERS: dict[str, Callable[[Any], bool]] = {
    "cwfilter": PATTERN.matches,  # raw-text pre-filter, then orjson + the generated expression
    "cwfilter-unfiltered": PATTERN._matcher.matches_unfiltered,  # type: ignore[dict-item]
    "cwfilter-msgspec-record": msgspec_record,
    "baseline-orjson-dict": baseline,
    "reference-interpreter": lambda m: reference.matches(PATTERN.ast, m),
}


@pytest.mark.parametrize("kind", list(MESSAGES))
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


NON_MATCHING = RECORDS["GetBucketAcl"]
SPACE_MATCH = b'127.0.0.1 - frank [04/Mar/2024:09:01:13 +0000] "GET /missing.html HTTP/1.1" 404 287'
SPACE_NONMATCH = b'127.0.0.1 - frank [04/Mar/2024:09:01:13 +0000] "GET /index.html HTTP/1.1" 200 2326'
PATTERNS = {
    "terms": ('"PutBucketPolicy" -AccessDenied', RECORDS["PutBucketPolicy"], NON_MATCHING),
    "regex": ("%PutBucket[AP][co]%", RECORDS["PutBucketPolicy"], NON_MATCHING),
    "space": ("[ip, id, user, timestamp, request, status_code = 4*, bytes > 100]", SPACE_MATCH, SPACE_NONMATCH),
    "json-general": (
        '{ $.userIdentity.type = "IAMUser" && $.requestParameters.bucketName = "*" && $.eventVersion >= 1.05 '
        '&& $.eventName != "GetBucketAcl" }',
        RECORDS["PutBucketPolicy"],
        NON_MATCHING,
    ),
}


@pytest.mark.parametrize("kind", ["match", "nonmatch"])
@pytest.mark.parametrize("encoding", ["str", "bytes"])
@pytest.mark.parametrize("family", list(PATTERNS))
def test_other_families_one_message(benchmark: Any, family: str, encoding: str, kind: str) -> None:
    text, hit, miss = PATTERNS[family]
    p = cwfilter.compile(text)
    message: str | bytes = hit if kind == "match" else miss
    if encoding == "str":
        message = message.decode()  # type: ignore[union-attr]
    benchmark.group = f"{family} {encoding}"
    assert reference.matches(p.ast, message) is (kind == "match")
    assert benchmark(p.matches, message) is (kind == "match")
