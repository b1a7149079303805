"""The fast paths against their slow twins: the msgspec record matcher (replay/plan.py) against
the compiled dict matcher and the reference interpreter, the raw-text pre-filter against
parsing every message, fast replay against plain replay, ISA-L against zlib, and the
``eventTime`` decoding against ``parse_time``."""

from __future__ import annotations

import gzip
import json
import math
import random
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cwfilter
from cwfilter.pattern import ast, compile_pattern, parse, reference, render
from cwfilter.pattern.prefilter import prefilter_clauses
from cwfilter.replayer import plan as fastpath
from cwfilter.replayer import replay
from cwfilter.sources import inflate
from cwfilter.times import epoch_ms, parse_time

from . import strategies as S

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CWL012 = cwfilter.find_rule("CWL-012").metric_filter(via="CWL-012").pattern.text


# ------------------------------------------------------------------ adversarial JSON encodings


def _encode_string(text: str, rng: random.Random) -> str:
    """A JSON string literal for ``text`` with escapes chosen at random: ``\\uXXXX`` for any
    character, ``\\/``, the short escapes, or the character itself where JSON allows it."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        roll = rng.random()
        if ch in '"\\':
            out.append("\\" + ch if roll < 0.7 else f"\\u{code:04x}")
        elif code < 0x20:
            short = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}.get(ch)
            out.append(short if short and roll < 0.5 else f"\\u{code:04X}")
        elif ch == "/" and roll < 0.4:
            out.append("\\/")
        elif roll < 0.15:
            if code > 0xFFFF:
                hi, lo = divmod(code - 0x10000, 0x400)
                out.append(f"\\u{0xD800 + hi:04x}\\u{0xDC00 + lo:04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


def _encode(value: Any, rng: random.Random, depth: int = 0) -> str:
    """JSON text for ``value`` with random spacing, escapes, number spellings and, in
    objects, earlier duplicates of a key (the last one wins)."""

    def ws() -> str:
        return rng.choice(["", "", " ", "\n", "\t ", "  "])

    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            if rng.random() < 0.15:  # a decoy duplicate that the real value overrides
                items.append(
                    f"{ws()}{_encode_string(k, rng)}{ws()}:{ws()}{_encode(rng.choice([None, 1, 'x', [], {}]), rng)}"
                )
            items.append(f"{ws()}{_encode_string(k, rng)}{ws()}:{ws()}{_encode(v, rng, depth + 1)}{ws()}")
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(ws() + _encode(v, rng, depth + 1) + ws() for v in value) + "]"
    if isinstance(value, str):
        return _encode_string(value, rng)
    if isinstance(value, float) and rng.random() < 0.3 and math.isfinite(value):
        return repr(value).replace("e+", "E+") if "e" in repr(value) else repr(value) + "0"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # also beyond 64 bits, which orjson reads as a float
    return orjson.dumps(value).decode()


adversarial_seed = st.integers(0, 2**32 - 1)


def _records_for(pattern: ast.JsonPattern) -> st.SearchStrategy[str]:
    return S.json_message_for(pattern) | S.json_messages


@SETTINGS
@given(S.json_pattern, st.data())
def test_fast_record_matcher_agrees_with_reference(pattern: ast.JsonPattern, data: st.DataObject) -> None:
    assume(fastpath.record_plan(pattern) is not None)
    for message in data.draw(st.lists(_records_for(pattern), min_size=1, max_size=4)):
        expected = reference.matches(pattern, message)
        for m in (message, message.encode()):
            fast = fastpath.matches_message(pattern, m)  # None: declined (replay then takes the plain path)
            assert fast is expected or (fast is None and fastpath.record_plan(pattern).nested), (render(pattern), m)
    # Replay selects the matches of a list of records with one generated comprehension.
    plan = fastpath.record_plan(pattern)
    records = [r for r in map(plan.decode_one, data.draw(st.lists(_records_for(pattern), max_size=6))) if r is not None]
    assert plan.select(records) == [r for r in records if plan.match(r)]


@SETTINGS
@given(S.json_pattern, st.data(), adversarial_seed)
def test_prefilter_and_fast_path_agree_on_adversarial_encodings(
    pattern: ast.JsonPattern, data: st.DataObject, seed: int
) -> None:
    """Escaped (``\\u``, ``\\/``), spaced and duplicate-key encodings of the same records:
    filtered, unfiltered, fast and reference evaluation agree."""
    rng = random.Random(seed)
    matcher = compile_pattern(pattern)
    for message in data.draw(st.lists(_records_for(pattern), min_size=1, max_size=3)):
        text = _encode(orjson.loads(message), rng)
        expected = reference.matches(pattern, text)
        assert expected is reference.matches(pattern, message)
        for m in (text, text.encode()):
            assert matcher.matches_unfiltered(m) is expected, (render(pattern), text)
            assert matcher.matches(m) is expected, (render(pattern), text)
            fast = fastpath.matches_message(pattern, m)
            assert fast is None or fast is expected, (render(pattern), text)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl"}', True),
        ('{"eventSource":"s3.amazonaws.com","eventName":"PutBucket\\u0041cl"}', True),  # \u escape: parsed
        ('{"eventSource":"s3.amazonaws.com" , "eventName" : "PutBucketAcl"}', True),  # spacing
        ('{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl","eventName":"GetObject"}', False),  # last wins
        ('{"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":"PutBucketAcl"}', False),  # elsewhere
        ('{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl","p":"a\\"b"}', True),  # other escape
        ('["s3.amazonaws.com", "PutBucketAcl"]', False),  # not an object
    ],
)
def test_prefilter_examples(message: str, expected: bool) -> None:
    p = cwfilter.compile(CWL012)
    assert p._matcher.prefilter  # CWL-012 has one
    for m in (message, message.encode()):
        assert p.matches(m) is expected
        assert p._matcher.matches_unfiltered(m) is expected
        assert fastpath.matches_message(p.ast, m) is expected


def test_prefilter_escaped_slash_needle() -> None:
    p = cwfilter.compile('{ $.path = "/a/b" }')
    assert p.matches('{"path":"\\/a\\/b"}') and p.matches(b'{"path":"\\/a\\/b"}')


@pytest.mark.parametrize(
    ("pattern", "clauses"),
    [
        (CWL012, 1),  # the source; nine alternative names would cost more to search than to parse
        ('{ $.a = "x" && $.b = "y" }', 1),
        ('{ $.a = "x" || $.b = "y" }', 1),
        ('{ $.a = "x" || $.b != "y" }', 0),  # one branch without a required string
        ('{ $.a = "x" || $.b NOT EXISTS }', 0),
        ("{ $.a = 5 }", 0),  # numbers: a string may hold them, unquoted text too
        ('{ $.a = "5" }', 0),  # a number-like string matches a JSON number's text
        ('{ $.a = "x*" }', 0),  # wildcards
        ("{ $.a = %x% }", 0),  # regexes
        ('{ $.a[*] = "x" }', 1),  # a wildcard selector still needs the string somewhere
        ("{ $.a IS TRUE }", 0),
    ],
)
def test_prefilter_clauses(pattern: str, clauses: int) -> None:
    assert len(prefilter_clauses(parse(pattern).expr)) == clauses  # type: ignore[union-attr]


def test_wide_integers_read_as_orjson_reads_them() -> None:
    wide = 2**70
    for text in (f'{{"a": {wide}}}', f'{{"a": [{wide}]}}', f'{{"a": {{"b": -{wide}}}}}'):
        for pattern in ("{ $.a = 1180591620717411303424 }", '{ $.a = "1.1805916207174113e+21" }',
                        "{ $.a[0] > 1e21 }", '{ $.a.b = "-1.1805916207174113e+21" }', "{ $.a.* < 0 }"):  # fmt: skip
            p = parse(pattern)
            fast = fastpath.matches_message(p, text)  # type: ignore[arg-type]
            if fast is None:  # `$.a.b` decodes `a` as a Struct: a number there declines to the plain path
                assert fastpath.record_plan(p).nested and not text.startswith('{"a": {')  # type: ignore[arg-type,union-attr]
                continue
            assert fast is reference.matches(p, text), (pattern, text)


def test_missing_null_and_root_wildcards() -> None:
    p = parse("{ $.a NOT EXISTS }")
    assert fastpath.matches_message(p, '{"b": 1}') is True  # type: ignore[arg-type]
    assert fastpath.matches_message(p, '{"a": null}') is False  # type: ignore[arg-type]
    assert fastpath.matches_message(parse("{ $.a IS NULL }"), '{"a": null}') is True  # type: ignore[arg-type]
    assert fastpath.matches_message(parse("{ $.* = 1 }"), '{"a": 1}') is None  # type: ignore[arg-type]
    assert fastpath.matches_message(parse("{ $[0] NOT EXISTS }"), '{"a": 1}') is True  # type: ignore[arg-type]


# ------------------------------------------------------------------ event times


time_texts = st.one_of(
    st.builds(
        lambda d, h, m, s: f"2024-03-{d:02d}T{h:02d}:{m:02d}:{s:02d}Z",
        st.integers(1, 31),
        st.integers(0, 24),
        st.integers(0, 60),
        st.integers(0, 61),
    ),
    st.from_regex(
        r"20[0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\.[0-9]{1,9})?(Z|[+-][01][0-9]:?[0-5][0-9])?",
        fullmatch=True,
    ),
    st.text(alphabet="0123456789-T:Z .+", max_size=24),
)


@settings(max_examples=500, deadline=None)
@given(time_texts)
def test_event_time_decoding_equals_parse_time(text: str) -> None:
    """Every ``eventTime`` the fast path decodes gets the epoch ms ``parse_time`` gives the plain
    path; every other one sends its file to the plain path."""
    try:
        when = msgspec.json.decode(orjson.dumps(text), type=fastpath.EventTime)
    except msgspec.ValidationError:
        return
    assert epoch_ms(when) == parse_time(text), text


# ------------------------------------------------------------------ replay: fast against plain


def _replay_both(paths: list[Path], mf: cwfilter.MetricFilter, **kwargs: Any) -> tuple[dict, dict]:
    out = []
    for fast in (True, False):
        result = replay([str(p) for p in paths], mf, fast=fast, **kwargs)
        out.append({**result.to_json(), "span": getattr(result, "span", None)})
    return out[0], out[1]


event_times = st.one_of(
    st.sampled_from(
        [
            "2024-01-01T00:00:10Z",
            "2024-01-01T00:01:59Z",
            "2024-01-01T00:07:00Z",
            "2024-01-01 00:02:00",
            "2024-01-01T00:03:00.5Z",
            "2024-01-01T00:04:00+01:00",
            "yesterday",
            "",
            None,
            5,
            2**70,
            {"t": 1},
            "2024-01-01T00:00:60Z",
        ]
    ),
    time_texts,
)


@st.composite
def record_files(draw: Any, pattern: ast.JsonPattern) -> list[tuple[str, bytes]]:
    """A few files of records with the pattern's selectors, event times good and bad,
    repeated event IDs, in every encoding."""
    files = []
    for n in range(draw(st.integers(1, 3))):
        records = []
        for _ in range(draw(st.integers(0, 6))):
            rec = orjson.loads(draw(_records_for(pattern)))
            if draw(st.integers(0, 9)) < 9:
                rec["eventTime"] = draw(event_times)
            rec["eventID"] = draw(st.sampled_from(["a", "b", "c", 1, None]))
            rec["eventSource"] = draw(st.sampled_from(["s3.amazonaws.com", "ec2.amazonaws.com"]))
            records.append(rec)
        rng = random.Random(draw(adversarial_seed))
        shape = draw(st.sampled_from(["records", "array", "jsonl"]))
        if shape == "records":
            body = _encode({"Records": records, "other": draw(S.json_values)}, rng).encode()
        elif shape == "array":
            body = _encode(records, rng).encode()
        else:
            body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode() or b"{}"
        name = f"111122223333_CloudTrail_us-east-1_2024010{n}T0005Z_x.json"
        if draw(st.booleans()):
            body, name = gzip.compress(body), name + ".gz"
        files.append((name, body))
    return files


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(S.json_pattern, st.data())
def test_fast_replay_equals_plain_replay(pattern: ast.JsonPattern, data: st.DataObject) -> None:
    files = data.draw(record_files(pattern))
    value = data.draw(st.sampled_from(["1", "$.a", "$.b.a", "$.b.*"]))
    kwargs = data.draw(st.fixed_dictionaries({
        "timestamp": st.sampled_from(["event", "delivery"]), "dedupe": st.booleans()}))  # fmt: skip
    dims = data.draw(st.sampled_from([None, {"A": "$.a"}, {"N": "$.n[0]"}, {"A": "$.a", "W": "$.b.*"}]))
    default = None if dims else data.draw(st.sampled_from([None, 0.0, 2.5]))
    mode = data.draw(st.sampled_from(["per_event", "per_minute"]))
    mf = cwfilter.MetricFilter(render(pattern), metric_name="M", namespace="N", value=value,
                               dimensions=dims, default_value=default, default_value_mode=mode)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in files:
            (Path(tmp) / name).write_bytes(body)
        fast, plain = _replay_both([Path(tmp)], mf, period=60, **kwargs)
    assert fast == plain


@pytest.mark.real_data
def test_fast_replay_equals_plain_on_real_cloudtrail() -> None:
    from .shared import CLOUDTRAIL

    folders = sorted(p for p in CLOUDTRAIL.iterdir() if p.is_dir())
    root = '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && ($.eventType != "AwsServiceEvent") }'
    mf = cwfilter.MetricFilter(root, metric_name="M", namespace="N", dimensions={"Src": "$.eventSource"})
    fast, plain = _replay_both(folders, mf, jobs=2)
    assert fast == plain
    general = "{ ($.resources[*].type = AWS::S3::Bucket && $.eventVersion >= 1.05) || $.errorCode = AccessDenied* }"
    mf = cwfilter.MetricFilter(general, metric_name="M", namespace="N", value="$.eventVersion")
    fast, plain = _replay_both(folders, mf, jobs=2, dedupe=True, timestamp="delivery")
    assert fast == plain


def test_files_the_fast_path_declines_are_read_plainly(tmp_path: Path) -> None:
    good = {"eventTime": "2024-01-01T00:00:10Z", "eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl"}
    (tmp_path / "no-time.json").write_bytes(
        orjson.dumps({"Records": [good, {"CloudTrailEvent": orjson.dumps(good).decode()}]})
    )
    (tmp_path / "latin1.json").write_bytes(orjson.dumps({"Records": [good]})[:-3] + b', "x": "caf\xe9"}]}')
    (tmp_path / "scalar.json").write_bytes(b'{"Records": [1, ' + orjson.dumps(good) + b"]}")
    (tmp_path / "wide.json").write_bytes(b'{"Records": [{"eventTime": 123456789012345678901234567890}]}')
    mf = cwfilter.find_rule("CWL-012").metric_filter(via="CWL-012")
    fast, plain = _replay_both([tmp_path], mf)
    assert fast == plain
    assert plain["accounting"]["matched"] == 3  # latin1.json's record holds a byte that is not UTF-8: rejected
    assert "invalid UTF-8: byte 0xE9 in a string" in [p["reason"] for p in plain["accounting"]["problems"]]


# ------------------------------------------------------------------ decompression


def _members(body: bytes) -> bytes:
    half = len(body) // 2
    return gzip.compress(body[:half]) + b"\x00\x00" + gzip.compress(body[half:])


def _flip(at: int) -> Callable[[bytes], bytes]:
    def make(body: bytes) -> bytes:
        data = bytearray(gzip.compress(body))
        data[at] ^= 0xFF
        return bytes(data)

    return make


@pytest.mark.parametrize(
    "make",
    [gzip.compress, _members, lambda b: gzip.compress(b)[:-9], lambda b: gzip.compress(b)[:40], _flip(-6), _flip(20),
     lambda b: gzip.compress(b) + b"trailing garbage"],
    ids=["one member", "two members", "truncated", "cut short", "bad CRC", "corrupt", "garbage after"],
)  # fmt: skip
def test_accelerated_inflate_equals_zlib(make: Any) -> None:
    body = b"".join(orjson.dumps({"n": i, "s": string.ascii_letters * 3}) for i in range(3000))
    data = make(body)
    fast = inflate.gzip_decompress(data)
    plain = inflate.inflate_members(data, inflate.ZLIB_INFLATER)
    assert fast == plain
    if plain[1] is None:
        assert plain[0] == body


def test_inflater_is_accelerated_where_available() -> None:
    pytest.importorskip("isal")
    assert inflate.FAST_INFLATER is not None
