"""The README's comparison: for each filter-pattern scenario of issue 14, cwfilter's verdict
beside the verdict of the text-matching checks other audit tools use (exact CIS string,
whitespace-stripped substring, ordered regex). Computed here; the README must show this table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cwfilter import find_rule
from cwfilter.audit import audit, read_template

from .audit_scenarios import BASE, NINE, SCENARIOS, Scenario, to_cloudformation

CWL012 = find_rule("CWL-012")
README = Path(__file__).resolve().parents[1] / "README.md"
PATTERN_SCENARIOS = [s for s in SCENARIOS if s.filters != BASE.filters or s is BASE][:12]
_ORDERED = re.compile(
    r'\$\.eventSource\s*=\s*"?s3\.amazonaws\.com"?.*' + ".*".join(rf'\$\.eventName\s*=\s*"?{n}"?' for n in NINE)
)


def exact(pattern: str) -> bool:
    return pattern == CWL012.filter_pattern


def stripped_substring(pattern: str) -> bool:
    """The CIS pattern's body (inside its braces), whitespace removed, within the deployed one's."""
    body = "".join(CWL012.filter_pattern.split())[1:-1]
    return body in "".join(pattern.split())


def ordered_regex(pattern: str) -> bool:
    return _ORDERED.search(pattern) is not None


def _text_verdict(sc: Scenario, test: object) -> str:
    return "PASS" if any(test(p) for p, _ in sc.filters) else "FAIL"  # type: ignore[operator]


def comparison_table(tmp: Path) -> str:
    rows = ["| scenario | cwfilter | exact CIS string | whitespace-stripped substring | ordered regex |",
            "|---|---|---|---|---|"]  # fmt: skip
    for i, sc in enumerate(PATTERN_SCENARIOS):
        (tmp / f"{i}.json").write_text(json.dumps(to_cloudformation(sc)), encoding="utf-8")
        f = audit(read_template(tmp / f"{i}.json"), [CWL012])[0]
        ours = f"{f.status}" + ("" if f.status == "PASS" else f" ({f.reason})")
        texts = [_text_verdict(sc, t) for t in (exact, stripped_substring, ordered_regex)]
        rows.append(f"| {sc.name} | {ours} | " + " | ".join(texts) + " |")
    return "\n".join(rows) + "\n"


def test_readme_shows_the_computed_comparison(tmp_path: Path) -> None:
    table = comparison_table(tmp_path)
    assert table in README.read_text(encoding="utf-8"), "README comparison table is out of date:\n" + table


def test_expected_verdicts_are_the_scenarios() -> None:
    assert [s.expect for s in PATTERN_SCENARIOS][:7] == [("PASS", "COMPLIANT")] * 7
