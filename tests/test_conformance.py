"""Every case of ../shared/spec/conformance-cases.json, through the compiled matcher and
through the reference interpreter (spec §9)."""

from __future__ import annotations

import json

import pytest

import cwfilter
from cwfilter.pattern import reference
from cwfilter.replayer import plan as fastpath

from .shared import SPEC

CASES = json.loads((SPEC / "conformance-cases.json").read_text(encoding="utf-8"))


def test_all_cases_loaded() -> None:
    assert len(CASES) == 155


@pytest.mark.parametrize("path", ["plain", "fast"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict, path: str) -> None:
    """``plain``: the compiled matcher parsing every message; ``fast``: with the raw-text
    pre-filter, and for JSON patterns the msgspec record matcher replay uses (replay/plan.py)."""
    if case["error"]:
        with pytest.raises(cwfilter.PatternError) as info:
            cwfilter.compile(case["pattern"])
        err = info.value
        expected = case["error"]
        assert expected == err.aws_exception or expected in err.message, str(err)
        assert 0 <= err.offset <= len(case["pattern"])
        return
    p = cwfilter.compile(case["pattern"])
    message = case["message"]
    matches = p.matches
    if path == "plain" and p.family == "json":
        matches = p._matcher.matches_unfiltered  # type: ignore[assignment]
    if path == "fast" and p.family == "json":
        fast = fastpath.matches_message(p.ast, message)  # type: ignore[arg-type]
        assert fast is None or fast is case["match"]
        fast = fastpath.matches_message(p.ast, message.encode("utf-8"))  # type: ignore[arg-type]
        assert fast is None or fast is case["match"]
    assert matches(message) is case["match"]
    assert matches(message.encode("utf-8")) is case["match"]
    assert reference.matches(p.ast, message) is case["match"]
    extracted = p.extract(message)
    assert extracted == reference.extract(p.ast, message)
    if not case["match"]:
        assert extracted is None
    elif case["extracted"] is None:
        # JSON patterns: TestMetricFilter's extractedValues is undocumented; §7.3 default is {}.
        assert p.family == "json" and extracted == {}
    else:
        assert extracted == case["extracted"]
