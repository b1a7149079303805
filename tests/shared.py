"""Shared test fixtures: where the specification and the real CloudTrail data live."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CWFILTER_SHARED", ROOT.parent / "shared"))
SPEC = SHARED / "spec"
CLOUDTRAIL = SHARED / "data" / "cloudtrail"

if not SPEC.is_dir():  # the conformance cases run every time: a missing spec is an error, not a skip
    raise RuntimeError(f"specification not found at {SPEC}; set CWFILTER_SHARED to the shared/ folder")
