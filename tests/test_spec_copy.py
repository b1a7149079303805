"""The repository's copy of the specification's case files equals ``../shared/spec``."""

from __future__ import annotations

import pytest

from .shared import CASE_FILES, SHARED_SPEC, SPEC


@pytest.mark.parametrize("name", CASE_FILES)
def test_case_file_copy_equals_the_specification(name: str) -> None:
    ours = SPEC / name
    assert ours.is_file(), f"{ours} is missing: the case files must live in the repository"
    theirs = SHARED_SPEC / name
    if not theirs.is_file():
        pytest.skip(f"{theirs} not present (no ../shared beside this clone): nothing to compare with")
    assert ours.read_bytes() == theirs.read_bytes(), f"{ours} differs from {theirs}: copy the specification's file"
