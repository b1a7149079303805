"""``cwfilter snapshot``'s result: the files written, the account, the calls that failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from .base import Report


class SnapshotReport(Report):
    """A snapshot written to ``folder``: its files, the account and regions, failed calls."""

    formats: ClassVar[tuple[str, ...]] = ("table", "json", "text", "csv")

    def __init__(self, folder: str, files: list[str], account: str | None, regions: list[str],
                 failed: dict[str, Any]) -> None:  # fmt: skip
        self.folder, self.files, self.account, self.regions, self.failed = folder, files, account, regions, failed

    def data(self) -> dict[str, Any]:
        return {"folder": self.folder, "account": self.account, "regions": self.regions, "files": self.files,
                "failedCalls": self.failed}  # fmt: skip

    def rows(self) -> list[Sequence[Any]]:
        return [["file"], *([f] for f in self.files)]

    def table(self) -> str:
        return (f"wrote {len(self.files)} files to {self.folder} (account {self.account or '?'}, "
                f"{len(self.regions)} region(s); {len(self.failed)} call(s) failed, see errors.json)\n")  # fmt: skip
