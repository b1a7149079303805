"""The library's surface as a newcomer meets it: what ``matches`` accepts, and ``help()``."""

from __future__ import annotations

import pydoc

import pytest

import cwfilter

RECORD = {"eventSource": "s3.amazonaws.com", "eventName": "PutBucketAcl", "requestParameters": {"bucketName": "b"}}


@pytest.mark.parametrize(
    "pattern",
    ["PutBucketAcl", '"s3.amazonaws.com"', "%Put[A-Za-z]+Acl%", "{ $.eventName = PutBucketAcl }",
     "{ $.requestParameters.bucketName = b }", "[record]", ""],
)  # fmt: skip
def test_matches_takes_str_bytes_and_parsed_objects_alike(pattern: str) -> None:
    import orjson

    p = cwfilter.compile(pattern)
    text = orjson.dumps(RECORD).decode()
    assert (
        p.matches(RECORD) is p.matches(text) is p.matches(text.encode()) is p.matches(bytearray(text.encode())) is True
    )
    assert p.extract(RECORD) == p.extract(text)


def test_matches_rejects_other_types_clearly() -> None:
    for pattern in ("x", "{ $.a = 1 }", "[a]", "%x%"):
        with pytest.raises(TypeError, match="str, bytes or a parsed JSON object"):
            cwfilter.compile(pattern).matches(42)  # type: ignore[arg-type]


def test_help_documents_matches_and_extract() -> None:
    text = pydoc.render_doc(cwfilter.FilterPattern, renderer=pydoc.plaintext)
    assert "matches(self, message: 'Message') -> 'bool'" in text
    assert "extract(self, message: 'Message')" in text
    assert "already parsed JSON object" in text
