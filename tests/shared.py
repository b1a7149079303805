"""Shared test fixtures: where the specification's case files and the real CloudTrail data live.

The case files (conformance, alarm and CIS cases) are facts every clone needs, so the
repository keeps a copy in ``tests/conformance/``; ``test_spec_copy.py`` checks it equals
``../shared/spec`` wherever that folder is present. The real CloudTrail trails are not
copied: tests that read them skip with a reason where ``../shared/data`` is absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "conformance"
SHARED = Path(os.environ.get("CWFILTER_SHARED", ROOT.parent / "shared"))
SHARED_SPEC = SHARED / "spec"
CLOUDTRAIL = SHARED / "data" / "cloudtrail"
CASE_FILES = ("conformance-cases.json", "alarm-cases.json", "cis-metric-filters.json")


def fuzz_settings(ci_examples: int) -> Any:
    """Hypothesis settings for the fuzz and translation tests: ``ci_examples`` from a fixed
    seed (derandomized) in an ordinary run; ``CWFILTER_FUZZ_EXAMPLES=N`` (``make fuzz``) asks
    for N random examples instead."""
    from hypothesis import HealthCheck, settings

    asked = int(os.environ.get("CWFILTER_FUZZ_EXAMPLES", "0") or 0)
    return settings(
        max_examples=asked or ci_examples,
        derandomize=not asked,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
