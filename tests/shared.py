"""Shared test fixtures: where the specification's case files and the real CloudTrail data live.

The case files (conformance, alarm and CIS cases) are facts every clone needs, so the
repository keeps a copy in ``tests/conformance/``; ``test_spec_copy.py`` checks it equals
``../shared/spec`` wherever that folder is present. The real CloudTrail trails are not
copied: tests that read them skip with a reason where ``../shared/data`` is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "tests" / "conformance"
SHARED = Path(os.environ.get("CWFILTER_SHARED", ROOT.parent / "shared"))
SHARED_SPEC = SHARED / "spec"
CLOUDTRAIL = SHARED / "data" / "cloudtrail"
CASE_FILES = ("conformance-cases.json", "alarm-cases.json", "cis-metric-filters.json")
