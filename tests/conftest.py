"""Tests marked ``real_data`` read the real CloudTrail trails of ``../shared/data``; on a
clone without that folder they are skipped, with the reason, rather than failed."""

from __future__ import annotations

import pytest

from .shared import CLOUDTRAIL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CLOUDTRAIL.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"real CloudTrail data not found at {CLOUDTRAIL} (no ../shared/data beside this clone)"
    )
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)
