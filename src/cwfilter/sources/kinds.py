"""What happened to an input, as values: code decides on these, never on the text of a reason
(the text is for people and may change)."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple


class NotReadKind(Enum):
    """Why an input found while walking the inputs is not read."""

    MISSING = "missing"  # no such file or directory: failed
    UNLISTABLE = "unlistable"  # a directory or S3 prefix that cannot be listed: failed
    DIGEST = "digest"  # a CloudTrail digest file: skipped
    NOT_A_LOG = "not a log"  # a name replay does not read when walking a tree: skipped
    LINK = "link"  # a symbolic link to a directory, not followed: skipped
    REPEATED = "repeated"  # the same file reached again (overlapping inputs, a link): read once, skipped
    PRUNED = "pruned"  # a file outside the replay's scope by its name (time, account, region): counted only
    PRUNED_FOLDER = "pruned folder"  # a directory or S3 prefix outside the scope by the layout: counted only
    SPECIAL = "not a regular file"  # a FIFO, socket or device (even behind a link): skipped, never opened

    @property
    def failed(self) -> bool:
        """Counted as a failed input (and fatal in strict mode), not as one skipped on purpose."""
        return self in (NotReadKind.MISSING, NotReadKind.UNLISTABLE)

    @property
    def pruned(self) -> bool:
        """Left out by the scope before anything was read: counted, not listed one by one."""
        return self in (NotReadKind.PRUNED, NotReadKind.PRUNED_FOLDER)


class NotRead(NamedTuple):
    """An input not read: where, why (for people) and what kind of reason (for code)."""

    source: str
    reason: str
    kind: NotReadKind


class ProblemKind(Enum):
    """What kind of ``Problem`` a reader reports, where code decides on it."""

    OTHER = "other"
    INVALID_JSON = "invalid JSON"
    INVALID_UTF8 = "invalid UTF-8"
