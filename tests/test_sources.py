"""Readers never raise on bad bytes: every input ends up as items, problems or skips."""

from __future__ import annotations

import gzip
import os
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cwfilter.sources import FileRef, Item, NotRead, NotReadKind, Problem, Skip, iter_discover, read_items
from cwfilter.sources.formats import delivery_time_from_name, parse_blob
from cwfilter.sources.inflate import decompress
from cwfilter.sources.local import NOT_A_LOG_NAME, read_path
from cwfilter.times import parse_time

RECORD = orjson.dumps({"eventTime": "2024-01-01T00:00:00Z", "eventName": "X", "eventID": "e"})
FRAGMENTS = [b"{", b"}", b"[", b"]", b'"Records":', RECORD, b",", b"\n", b"\xff", b"2024-01-01T00:00:00Z ",
             b'{"messageType":"DATA_MESSAGE","logEvents":[', b'{"message":"x","timestamp":1}', b"null", b" "]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(b"".join))
def test_parse_blob_never_raises(data: bytes) -> None:
    for item in parse_blob("x", data):
        assert isinstance(item, (Item, Problem, Skip))
        if isinstance(item, Item):
            assert item.record is None or isinstance(item.record, dict)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=100))
def test_truncated_or_garbage_gzip_never_raises(tail: bytes) -> None:
    body = gzip.compress(RECORD * 20)
    for blob in (body[: len(body) // 2], body + tail, b"\x1f\x8b" + tail):
        data, trouble, _ = decompress(blob, "f.gz")
        assert isinstance(data, bytes) and (trouble is None or isinstance(trouble, str))


def test_read_items_reports_unreadable_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (item,) = list(read_items(FileRef(str(tmp_path / "missing.json"))))
    assert isinstance(item, Problem) and item.reason.startswith("cannot read")


def test_time_parsing() -> None:
    assert parse_time("2024-01-01T00:00:00Z") == 1704067200000
    assert parse_time("2024-01-01T01:00:00+01:00") == 1704067200000
    assert parse_time("2024-01-01 00:00:00.000000000") == 1704067200000  # Panther-normalised, taken as UTC
    assert parse_time("2024-01-01T00:00:00.123Z") == 1704067200123
    for bad in ("redacted", "...", "", None, 12, "2024-13-01T00:00:00Z"):
        assert parse_time(bad) is None
    assert delivery_time_from_name("111122223333_CloudTrail_us-east-1_20240101T0005Z_abc.json.gz") == 1704067500000
    assert delivery_time_from_name("records.json") is None


def test_walk_lists_a_tree_in_sorted_depth_first_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Files of a folder first (sorted), then each sub-folder in turn; what is not read is listed
    with its reason; sizes only when asked for."""
    files = ["b.json.gz", "a/z.json", "a/b/x.log", "a/c.JSON", "CloudTrail-Digest/d.json.gz", "notes.md", "c/y.gz"]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"{}")
    (tmp_path / "link").symlink_to(tmp_path / "a", target_is_directory=True)
    found = list(iter_discover([str(tmp_path)]))
    rel = [(f.name if isinstance(f, FileRef) else f[0])[len(str(tmp_path)) + 1 :] for f in found]
    assert rel == ["b.json.gz", "notes.md", "CloudTrail-Digest/d.json.gz", "a/c.JSON", "a/z.json", "a/b/x.log",
                   "c/y.gz", "link"]  # fmt: skip
    reasons = {r: f[1:] for r, f in zip(rel, found) if not isinstance(f, FileRef)}
    assert reasons == {"notes.md": (NOT_A_LOG_NAME, NotReadKind.NOT_A_LOG),
                       "CloudTrail-Digest/d.json.gz": ("CloudTrail digest file", NotReadKind.DIGEST),
                       "link": ("symbolic link to a directory, not followed", NotReadKind.LINK)}  # fmt: skip
    assert {f.size for f in found if isinstance(f, FileRef)} == {2}
    assert {f.size for f in iter_discover([str(tmp_path)], sizes=False) if isinstance(f, FileRef)} == {0}


def test_walk_reports_a_directory_it_cannot_list(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a").mkdir()
    real = os.scandir

    def scandir(path: str) -> Any:
        if path.endswith("/a"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert list(iter_discover([str(tmp_path)])) == [
        NotRead(str(tmp_path / "a"), "cannot list directory: Permission denied", NotReadKind.UNLISTABLE)
    ]


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 300_000])
def test_read_path_reads_to_the_end_whatever_the_size_hint(tmp_path, size: int) -> None:  # type: ignore[no-untyped-def]
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    (tmp_path / "f").write_bytes(data)
    for hint in (0, 1, size // 2, size, size * 2):
        assert read_path(str(tmp_path / "f"), hint) == data, hint


def _records(items: Any) -> list[Any]:
    return [(type(i).__name__, i.record if isinstance(i, Item) else i.reason) for i in items]


@pytest.mark.parametrize("separator", [b"", b"\n", b" \r\n\t"])
def test_concatenated_cloudtrail_documents_are_read_as_their_records(separator: bytes) -> None:
    """``zcat *.json.gz`` of a CloudTrail tree: documents one after another (CloudTrail writes no
    newline at the end of a file), or one a line: every record of every document."""
    docs = [{"Records": [{"eventTime": f"2024-01-01T00:0{d}:0{i}Z", "eventName": f"E{d}{i}",
                          "requestParameters": {"note": '}{"Records": [] in a string'}} for i in range(3)]}
            for d in range(3)]  # fmt: skip
    data = separator.join(orjson.dumps(d) for d in docs)
    got = _records(parse_blob("-", data))
    assert got == [("Item", r) for d in docs for r in d["Records"]]


def test_concatenated_documents_with_a_broken_one_are_invalid_json() -> None:
    good = orjson.dumps({"Records": [{"eventTime": "2024-01-01T00:00:00Z"}]})
    items = list(parse_blob("-", good + good[:-1] + good))
    assert [type(i).__name__ for i in items] == ["Problem"] and items[0].reason.startswith("invalid JSON")


_TEXT = st.lists(st.sampled_from([*list('ab},{[]":\\ é'), '},{"eventVersion":']), max_size=12).map("".join)
_RECORD = st.fixed_dictionaries({"eventVersion": _TEXT}, optional={"x": _TEXT, "list": st.lists(
    st.fixed_dictionaries({"eventVersion": _TEXT}), max_size=3)})  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(records=st.lists(_RECORD, max_size=40), piece=st.integers(16, 400), gz=st.booleans())
def test_document_pieces_hold_exactly_the_records(records: list[Any], piece: int, gz: bool) -> None:
    """Cut wherever ``},{"eventVersion":`` appears (in strings it cannot: the quote is escaped),
    the pieces of a document either parse into exactly its records or some piece does not parse
    (an object keyed eventVersion inside a record): the caller then reads the file whole."""
    import tempfile

    from cwfilter.sources import large

    data = orjson.dumps({"Records": records})
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "doc.json" + (".gz" if gz else ""))
        with open(path, "wb") as out:
            out.write(gzip.compress(data) if gz else data)
        old = large.PROBE, large.PIECE
        large.PROBE, large.PIECE = 64, piece
        try:
            pieces = large.read_in_pieces(path)
            assert isinstance(pieces, large.DocumentPieces)
            got: list[Any] = []
            try:
                for p in pieces:
                    got.extend(orjson.loads(p))
            except (orjson.JSONDecodeError, large.CannotCut):
                assert any("list" in r for r in records) or len(data) > 4 * piece
                return
        finally:
            large.PROBE, large.PIECE = old
    assert got == records


def test_open_input_says_how_each_input_came(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One entry point: small files whole, missing ones unreadable, large ones in pieces where
    they are lines or a ``{"Records": [...]}`` document, whole otherwise."""
    from cwfilter.sources import DocumentPieces, StreamedItems, Unreadable, Whole, inputs, open_input

    lines = b"".join(b'{"eventTime": "2024-01-01T00:00:00Z", "n": %d}\n' % i for i in range(400))
    document = b'{"Records": [' + b",".join(b'{"eventVersion": "1.08", "n": %d}' % i for i in range(400)) + b"]}"
    other = b'{"other": [' + b",".join(b"%d" % i for i in range(4000)) + b"]}"
    for name, data in (("lines.jsonl", lines), ("doc.json", document), ("other.json", other)):
        (tmp_path / name).write_bytes(data)
    assert open_input(FileRef(str(tmp_path / "doc.json"))) == Whole(document, None)
    missing = open_input(FileRef(str(tmp_path / "missing.json")))
    assert isinstance(missing, Unreadable) and missing.problem.reason.startswith("cannot read:")
    monkeypatch.setattr(inputs, "STREAM_ABOVE", 1024)
    streamed = open_input(FileRef(str(tmp_path / "lines.jsonl"), len(lines)))
    assert isinstance(streamed, StreamedItems) and sum(isinstance(i, Item) for i in streamed) == 400
    pieces = open_input(FileRef(str(tmp_path / "doc.json"), len(document)))
    assert isinstance(pieces, DocumentPieces)
    pieces.close()
    assert open_input(FileRef(str(tmp_path / "other.json"), len(other))) == Whole(other, None)
    assert len(list(read_items(FileRef(str(tmp_path / "doc.json"), len(document))))) == 400  # read whole instead
