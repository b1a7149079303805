"""What part of a trail to replay: a time range, accounts and regions (``Scope``), decided
from the CloudTrail layout (``AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`` and
``ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_...`` names) before anything is read.

A file's name stamp is its delivery time; its records happened before it, up to about 15
minutes (``late``). So a file is kept when its stamp falls within ``[since - early, until +
late)``: ``early`` (5 minutes) because a stamp is rounded down to the minute of a 5-minute
window and may precede its first record a little. The records read are then cut exactly by
their own time (``keeps_ms``)."""

from __future__ import annotations

import re
import time
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import CwfilterError

DAY_MS = 86_400_000
LATE_MS = 15 * 60_000
EARLY_MS = 5 * 60_000

_ACCOUNT = re.compile(r"\d{12}", re.ASCII)
_NAME = re.compile(r"(\d{12})_CloudTrail(?:-Insight)?_([a-z0-9-]+)_(\d{8}T\d{4}Z)_", re.ASCII)
_RELATIVE = re.compile(r"(\d+)\s*([smhdw])", re.ASCII)
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": DAY_MS, "w": 7 * DAY_MS}


class ScopeError(CwfilterError, ValueError):
    """A time range, account or region that cannot be understood."""

    code = "E_SCOPE"


def relative_ms(text: str, now_ms: int | None = None) -> int | None:
    """``90d``, ``12h``, ``30m``, ``2w``, ``45s``: that long before now, in epoch ms; ``None``
    if ``text`` is not such a duration."""
    m = _RELATIVE.fullmatch(text.strip())
    if not m:
        return None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    return now - int(m.group(1)) * _UNIT_MS[m.group(2)]


@dataclass(frozen=True)
class Scope:
    """Records at ``since_ms <= time < until_ms`` (either end open when ``None``) of the given
    accounts and regions (all when empty)."""

    since_ms: int | None = None
    until_ms: int | None = None
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    late_ms: int = LATE_MS
    early_ms: int = EARLY_MS

    @classmethod
    def of(cls, since_ms: int | None = None, until_ms: int | None = None, accounts: Iterable[str] = (),
           regions: Iterable[str] = ()) -> Scope:  # fmt: skip
        """A scope, checked: 12-digit accounts, ``since`` before ``until``."""
        bad = [a for a in accounts if not _ACCOUNT.fullmatch(a)]
        if bad:
            raise ScopeError(f"account {bad[0]!r}: expected a 12-digit AWS account ID")
        if since_ms is not None and until_ms is not None and since_ms >= until_ms:
            raise ScopeError("the range is empty: --since must be before --until")
        return cls(since_ms, until_ms, frozenset(accounts), frozenset(r.lower() for r in regions))

    @property
    def everything(self) -> bool:
        return self.since_ms is None and self.until_ms is None and not self.accounts and not self.regions

    def keeps_ms(self, ms: int) -> bool:
        """Whether a record at ``ms`` is in the time range."""
        return (self.since_ms is None or ms >= self.since_ms) and (self.until_ms is None or ms < self.until_ms)

    def _overlaps(self, start_ms: int, end_ms: int) -> bool:
        """Whether files delivered within ``[start, end)`` may hold records in range."""
        if self.since_ms is not None and end_ms <= self.since_ms - self.early_ms:
            return False
        return self.until_ms is None or start_ms < self.until_ms + self.late_ms

    def keeps_folder(self, path: str) -> bool:
        """Whether a directory or S3 prefix (its last component complete) may hold files in
        scope, judged by the layout parts it has; a path outside the layout is kept."""
        parts = _layout(path.replace("\\", "/").strip("/").split("/"))
        if parts is None:
            return True
        account, _kind, region, dated = parts
        if self.accounts and account not in self.accounts:
            return False
        if self.regions and region is not None and region.lower() not in self.regions:
            return False
        return dated is None or self._overlaps(*dated)

    def keeps_file(self, path: str) -> bool:
        """``keeps_folder`` for the file's folder, and its name's account, region and stamp."""
        folder, _, name = path.replace("\\", "/").rpartition("/")
        if folder and not self.keeps_folder(folder):
            return False
        m = _NAME.match(name)
        if m is None:
            return True
        if (self.accounts and m.group(1) not in self.accounts) or (self.regions and m.group(2) not in self.regions):
            return False
        stamp = _stamp_ms(m.group(3))
        return stamp is None or self._overlaps(stamp, stamp + 1)


def _layout(parts: list[str]) -> tuple[str, str | None, str | None, tuple[int, int] | None] | None:
    """(account, kind, region, (start, end) of the dated folder) from the components after
    ``AWSLogs``, each ``None`` where the path stops before it; ``None`` outside the layout."""
    try:
        at = len(parts) - 1 - parts[::-1].index("AWSLogs")
    except ValueError:
        return None
    rest = parts[at + 1 :]
    if rest and rest[0].startswith("o-"):
        rest = rest[1:]
    if not rest:
        return None
    if not _ACCOUNT.fullmatch(rest[0]):
        return None
    kind = rest[1] if len(rest) > 1 else None
    region = rest[2] if len(rest) > 2 else None
    return rest[0], kind, region, _dated(rest[3:6])


def _dated(parts: list[str]) -> tuple[int, int] | None:
    """The [start, end) epoch ms of ``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD``; ``None`` if not dates."""
    if not parts or not all(p.isdigit() for p in parts):
        return None
    nums = [int(p) for p in parts]
    try:
        if len(nums) == 1:
            return _ms(nums[0], 1, 1), _ms(nums[0] + 1, 1, 1)
        year, month = nums[0], nums[1]
        if len(nums) == 2:
            return _ms(year, month, 1), _ms(year, month, 1) + monthrange(year, month)[1] * DAY_MS
        start = _ms(year, month, nums[2])
    except ValueError:
        return None
    return start, start + DAY_MS


def _ms(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=timezone.utc).timestamp()) * 1000


def _stamp_ms(stamp: str) -> int | None:
    try:
        return int(datetime.strptime(stamp, "%Y%m%dT%H%MZ").replace(tzinfo=timezone.utc).timestamp()) * 1000
    except ValueError:
        return None


def trail_file_origin(name: str) -> tuple[str, str] | None:
    """``(account, region)`` of a CloudTrail log file, from its name
    (``ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_...``); ``None`` for other names."""
    m = _NAME.search(name.rsplit("/", 1)[-1])
    return (m.group(1), m.group(2)) if m else None
