"""The replay benchmark corpus: a CloudTrail S3 tree from the project's own deterministic
generator (``tests/synth.py``), and the baselines that read it.

Size: ``CWFILTER_BENCH_MB`` MB of uncompressed JSON (``make bench`` sets 100); without it
2 MB when benchmarks are disabled (the test suite's smoke run) and 100 MB when timing. Trees
are cached under ``.benchmarks/corpus/`` (gitignored) by size and seed, written once.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import msgspec
from isal import isal_zlib

from cwfilter.sources import discover
from tests.synth import CWL012_NAMES, generate_tree

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".benchmarks" / "corpus"
SEED = 7
BYTES_PER_RECORD = 970  # what the generator writes per record, on average
# Events per minute in each trail stream: "quiet" is one quiet account (files of ~15 KB, like
# the real trails in ../shared/data), "busy" an organisation trail's busy account (~290 KB).
PROFILES = {"quiet": 6, "busy": 120}


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: tuple[str, ...]  # the log files replay reads (digests excluded)
    uncompressed: int  # bytes of JSON in them
    compressed: int
    profile: str = "quiet"

    @property
    def mb(self) -> float:
        return self.uncompressed / 1e6


def corpus_mb(benchmarks_enabled: bool) -> float:
    env = os.environ.get("CWFILTER_BENCH_MB")
    if env:
        return float(env)
    return 100.0 if benchmarks_enabled else 2.0


def build(mb: float, profile: str = "quiet") -> Corpus:
    """The cached tree of about ``mb`` MB of a ``PROFILES`` kind (generated on first use)."""
    per_minute = PROFILES[profile]
    folder = CACHE / f"{mb:g}MB-{profile}-seed{SEED}"
    done = folder / "truth.json"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        hours = mb * 1e6 / BYTES_PER_RECORD / per_minute / 60
        truth = generate_tree(folder / "tree", seed=SEED, hours=hours, per_minute=per_minute)
        done.write_text(json.dumps(truth.as_dict()))
    truth = json.loads(done.read_text())
    refs, _ = discover([str(folder / "tree")])
    files = tuple(r.name for r in refs)
    return Corpus(folder / "tree", files, truth["bytesUncompressed"], sum(r.size for r in refs), profile)


# ------------------------------------------------------------------ baselines: CWL-012 per 5 minutes

NAMES = frozenset(CWL012_NAMES)


def five_minute(event_time: str) -> str:
    """``2024-03-04T08:13:27Z`` → ``2024-03-04T08:10``: the per-period key every tool must agree on."""
    return event_time[:15] + str(int(event_time[15]) // 5 * 5)


def _inflated(name: str) -> bytes:
    """One file read and decompressed as fast as Python can: reads of 64 KB (a 1 MB read buffer
    per file costs more than reading a 2 KB file), one ISA-L inflate call (each file is one
    gzip member)."""
    fd = os.open(name, os.O_RDONLY)
    try:
        chunks = [os.read(fd, 1 << 16)]
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return isal_zlib.decompress(chunks[0] if len(chunks) == 1 else b"".join(chunks), wbits=31)  # type: ignore[no-any-return]


def isal_decompress_only(files: tuple[str, ...]) -> int:
    """The limit: read and decompress every file, nothing else."""
    return sum(len(_inflated(name)) for name in files)


def isal_decompress_two_processes(files: tuple[str, ...]) -> int:
    """The limit in two worker processes (started afresh, as replay starts its own), each
    decompressing every other file: how far this machine scales the bare work."""
    with ProcessPoolExecutor(2) as pool:
        return sum(pool.map(isal_decompress_only, (files[0::2], files[1::2])))


def _nothing(_: int) -> None:
    return None


def idle_pool_of_two() -> None:
    """Start 2 worker processes, give each a task that does nothing, stop them: the fixed cost
    inside every 2-process run, which weighs on a small corpus."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_nothing, (0, 1)))


class _Record(msgspec.Struct, gc=False):
    eventTime: str = ""
    eventSource: str = ""
    eventName: str = ""


class _Document(msgspec.Struct, gc=False):
    Records: list[_Record] = []


def isal_msgspec_loop(files: tuple[str, ...]) -> Counter[str]:
    """The issue's hand-written reference: ISA-L inflate, a msgspec Struct of just the three
    fields CWL-012 reads, records tested by hand. Nothing generic, no accounting, no checks
    of eventTime's form: the ceiling a generic engine on the same libraries can approach."""
    decode = msgspec.json.Decoder(_Document).decode
    out: Counter[str] = Counter()
    for name in files:
        for r in decode(_inflated(name)).Records:
            if r.eventSource == "s3.amazonaws.com" and r.eventName in NAMES:
                out[five_minute(r.eventTime)] += 1
    return out


def isal_simdjson_loop(files: tuple[str, ...]) -> Counter[str]:
    """The same hand-written loop on pysimdjson (a lazy parse: only the fields read are turned
    into Python objects), the issue's other candidate for the fastest hand-written loop."""
    import simdjson

    parser = simdjson.Parser()
    out: Counter[str] = Counter()
    for name in files:
        doc = parser.parse(_inflated(name))
        for r in doc["Records"]:
            if r.get("eventSource") == "s3.amazonaws.com" and r.get("eventName") in NAMES:
                out[five_minute(r["eventTime"])] += 1
        doc = r = None  # the parser's next document reuses the memory these point into
    return out


# Item 5's floor: what exactness adds to the pysimdjson loop. ``YYYY-MM-DDTHH:MM:SSZ`` with every
# digit read as 0, and the keys CWL-012 and the time span read at the top level of a record.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_PLAIN_TIME = b"0000-00-00T00:00:00Z\n"
_KEYS_READ = (b'"eventTime"', b'"eventSource"', b'"eventName"')


def _plain_times(times: list[str]) -> bool:
    """Whether every time has the one fixed form ``2024-03-04T08:13:27Z`` (the shape only, in
    a few C passes; an exact replay must also check each field's range)."""
    text = "\n".join(times).encode()
    return text.translate(_DIGITS_AS_ZERO) == (_PLAIN_TIME * len(times))[:-1]


def isal_simdjson_span_loop(files: tuple[str, ...], duplicate_scan: bool = False) -> Counter[str]:
    """The pysimdjson loop plus the least an exact replay must also read: every record's
    ``eventTime``, matched or not (each one checked to be a time, their span is the replay's
    time range). ``duplicate_scan``: also the check that pysimdjson's lookup is right, since it
    returns a key's *first* value where orjson and AWS (spec §4.3) take the last: each key read
    is counted in the raw bytes, and a file where one occurs more often than there are records
    is read again by orjson. A lower bound on that check (a full one also needs each record's
    own keys): what it costs is why the library does not decode with pysimdjson."""
    import orjson
    import simdjson

    parser = simdjson.Parser()
    out: Counter[str] = Counter()
    for name in files:
        data = _inflated(name)
        doc = parser.parse(data)
        records = doc["Records"]
        times = [r.get("eventTime") for r in records]
        if not _plain_times(times):
            raise ValueError(f"{name}: a time of another form (the generated corpus has none)")
        span = (min(times), max(times))  # the replay's first and last record
        if duplicate_scan and any(data.count(key) > len(times) for key in _KEYS_READ):
            doc = records = None
            records = orjson.loads(data)["Records"]
        for r in records:
            if r.get("eventSource") == "s3.amazonaws.com" and r.get("eventName") in NAMES:
                out[five_minute(r["eventTime"])] += 1
        assert span[0] <= span[1]
        doc = records = r = None  # the parser's next document reuses the memory these point into
    return out


def cli_replay(root: Path) -> bytes:
    """``cwfilter replay ROOT --rule CWL-012 --jobs 1 --output json`` as a subprocess: start-up
    (imports, parser) included, as a user runs it."""
    script = Path(sys.executable).with_name("cwfilter")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cwfilter"]
    args = [*command, "replay", str(root), "--rule", "CWL-012", "--jobs", "1", "--output", "json", "--no-progress"]
    return subprocess.run(args, capture_output=True, check=True).stdout


def gzip_json_loop(files: tuple[str, ...]) -> Counter[str]:
    """What a user writes first: stdlib ``gzip`` + ``json``, records tested by hand."""
    out: Counter[str] = Counter()
    for name in files:
        with gzip.open(name, "rb") as f:
            doc = json.load(f)
        for r in doc["Records"]:
            if r.get("eventSource") == "s3.amazonaws.com" and r.get("eventName") in NAMES:
                out[five_minute(r["eventTime"])] += 1
    return out


def jq_command() -> str | None:
    return shutil.which("jq")


def jq_loop(files: tuple[str, ...]) -> Counter[str]:
    """``zcat | jq`` selecting CWL-012 records, counted per 5 minutes."""
    names = ",".join(json.dumps(n) for n in sorted(NAMES))
    program = f'.Records[] | select(.eventSource == "s3.amazonaws.com" and (.eventName | IN({names}))) | .eventTime'
    out: Counter[str] = Counter()
    chunk = 500
    for i in range(0, len(files), chunk):
        with subprocess.Popen(["gzip", "-dc", *files[i : i + chunk]], stdout=subprocess.PIPE) as zcat:
            jq = subprocess.run(
                [jq_command() or "jq", "-r", program], stdin=zcat.stdout, capture_output=True, check=True
            )
        out.update(five_minute(t) for t in jq.stdout.decode().split())
    return out


def installed(module: str) -> bool:
    """Whether an optional baseline's module (``duckdb``, ``simdjson``: the ``bench`` extra) is importable."""
    return importlib.util.find_spec(module) is not None


def duckdb_query(files: tuple[str, ...]) -> Counter[str]:
    """DuckDB (one thread) at its fastest here: ``read_json_objects`` (each file one JSON
    value, not typed) and ``json_transform`` to the three fields it needs (``read_json`` with
    the same columns ran 7-10x slower here, DuckDB 2.0.1)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 1")
    names = ", ".join(f"'{n}'" for n in sorted(NAMES))
    shape = '{"Records": [{"eventTime": "VARCHAR", "eventSource": "VARCHAR", "eventName": "VARCHAR"}]}'
    rows = con.execute(
        f"""
        SELECT r.eventTime FROM (
          SELECT unnest(json_transform(json, '{shape}').Records) AS r
          FROM read_json_objects(?, format='auto')
        ) WHERE r.eventSource = 's3.amazonaws.com' AND r.eventName IN ({names})
        """,
        [list(files)],
    ).fetchall()
    return Counter(five_minute(t) for (t,) in rows)


Baseline = Callable[[tuple[str, ...]], object]
