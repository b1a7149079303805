"""Which inputs a watch reads, as sources for the loop: standard input, followed files, a
CloudWatch Logs group, an S3 prefix of CloudTrail objects."""

from __future__ import annotations

import argparse
from typing import Any

from .follow import FileFollower, Position, read_stdin
from .run import Source


def sources_for(
    args: argparse.Namespace, positions: dict[str, Any], *, follow: bool, from_start: bool, pushed_pattern: str | None
) -> dict[str, Source]:
    """The sources the arguments name, resuming from saved ``positions``; ``ValueError`` when one
    cannot be used. ``pushed_pattern``: the filter pattern a log group is asked to filter with."""
    sources: dict[str, Source] = {}
    for path in args.paths:
        if path == "-":
            sources["-"] = read_stdin
            continue
        saved = positions.get(path)
        start = Position(*saved) if isinstance(saved, list) and len(saved) == 3 else None
        follower = FileFollower(path, follow=follow, from_start=from_start, start=start)
        sources[path] = follower.run
    if args.log_group:
        from .logs import log_group_source

        sources[f"log-group:{args.log_group}"] = log_group_source(args, positions, pushed_pattern, from_start)
    if args.s3:
        from .bucket import bucket_source

        sources[args.s3] = bucket_source(args, positions, from_start)
    return sources


__all__ = ["sources_for"]
