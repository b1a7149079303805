"""Time, account and region ranges: what is outside is pruned by the CloudTrail layout and the
file names before anything is read, records read outside the time range are counted apart,
and the datapoints are those of replaying everything and cutting afterwards. Also: a file
reached twice is read once."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cwfilter import MetricFilter
from cwfilter.cli import main
from cwfilter.replayer import replay
from cwfilter.sources.scope import EARLY_MS, LATE_MS, Scope, ScopeError, relative_ms
from cwfilter.times import epoch_ms

from .moto_aws import moto_endpoint  # noqa: F401 - the session's moto_server
from .scale_s3 import s3_env, upload_tree  # noqa: F401 - fixtures
from .synth import generate_tree

START = datetime(2024, 3, 4, 20, 0, tzinfo=timezone.utc)
HOURS = 54  # three calendar days and more
ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("us-east-1", "eu-west-1")
STAMP = re.compile(r"(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_")
START_MS = epoch_ms(START)


def _mf() -> MetricFilter:
    # every record matches: the sum per minute is the number of records
    return MetricFilter('{ $.eventVersion = "1.09" || $.eventVersion = "1.08" || $.eventID = * }',
                        metric_name="All", namespace="test", dimensions={"Region": "$.awsRegion"})  # fmt: skip


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("range-tree")
    for seed, account in enumerate(ACCOUNTS, 1):
        generate_tree(root, seed=seed, start=START, hours=HOURS, per_minute=1, account=account, regions=REGIONS,
                      episodes=3)  # fmt: skip
    return root


@pytest.fixture(scope="module")
def everything(tree: Path) -> dict[tuple[str, str], object]:
    """Each account and region replayed whole, from its own folder."""
    return {(a, r): replay([tree / "AWSLogs" / a / "CloudTrail" / r], _mf()) for a in ACCOUNTS for r in REGIONS}


def _files_in(tree: Path, scope: Scope) -> int:
    """The log files whose names put them in the scope, counted from the names alone."""
    count = 0
    for path in tree.rglob("*.json.gz"):
        m = STAMP.match(path.name)
        if m is None:
            continue
        stamp = epoch_ms(datetime.strptime(m.group(3), "%Y%m%dT%H%MZ").replace(tzinfo=timezone.utc))
        if (scope.accounts and m.group(1) not in scope.accounts) or (scope.regions and m.group(2) not in scope.regions):
            continue
        if (scope.since_ms is None or stamp >= scope.since_ms - EARLY_MS) and (
            scope.until_ms is None or stamp < scope.until_ms + LATE_MS
        ):
            count += 1
    return count


minutes = st.integers(0, HOURS * 60)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    since=st.one_of(st.none(), minutes),
    length=st.one_of(st.none(), st.integers(1, 30 * 60)),
    accounts=st.sets(st.sampled_from(ACCOUNTS)),
    regions=st.sets(st.sampled_from(REGIONS)),
)
def test_a_range_reads_only_its_files_and_equals_cutting_afterwards(
    tree: Path, everything: dict, since: int | None, length: int | None, accounts: set, regions: set
) -> None:
    since_ms = None if since is None else START_MS + since * 60_000
    until_ms = None if length is None else (since_ms or START_MS) + length * 60_000
    scope = Scope.of(since_ms, until_ms, accounts, regions)
    got = replay([tree], _mf(), scope=scope, jobs=1)
    a = got.accounting
    assert a.files == _files_in(tree, scope)  # only the files in range were read
    assert a.files_failed == 0 and a.rejected == 0
    assert a.records == a.matched + a.out_of_range  # nothing dropped: every record read is counted
    expected: dict[tuple[int, str], float] = {}
    for (account, region), whole in everything.items():
        if (accounts and account not in accounts) or (regions and region not in regions):
            continue
        for key in whole.datapoints.metrics():
            for minute, stats in whole.datapoints.minutes(key):
                if scope.keeps_ms(minute):
                    dims = dict(key.dimensions)
                    k = (minute, dims.get("Region", ""))
                    expected[k] = expected.get(k, 0) + stats.sum
    observed = {(m, dict(key.dimensions).get("Region", "")): s.sum
                for key in got.datapoints.metrics() for m, s in got.datapoints.minutes(key)}  # fmt: skip
    assert {k: v for k, v in observed.items() if k[1]} == expected
    if a.files < _files_in(tree, Scope()):  # the files left out were pruned, not read
        assert a.pruned + a.pruned_folders > 0


def test_days_accounts_and_regions_are_pruned_as_folders(tree: Path) -> None:
    since = START_MS + 30 * 3_600_000  # 2024-03-06T02:00Z: the first two day folders are before it
    got = replay([tree], _mf(), scope=Scope.of(since, since + 3_600_000, ["111122223333"], ["eu-west-1"]))
    # the other account's folder, the other region's folder, the two earlier days' folders
    assert got.accounting.pruned_folders >= 4
    assert got.accounting.files == _files_in(tree, Scope.of(since, since + 3_600_000, ["111122223333"], ["eu-west-1"]))


def test_cli_range_options_the_table_json_and_csv_and_the_alarm_start(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["replay", str(tree), "--rule", "CWL-012", "--since", "2024-03-05T10:00Z", "--until", "2024-03-05T16:00Z",
            "--account", "111122223333", "--trail-region", "us-east-1", "--jobs", "1"]  # fmt: skip
    main([*args, "--output", "json"])
    doc = json.loads(capsys.readouterr().out)
    acc = doc["accounting"]
    assert acc["pruned"] > 0 and acc["prunedFolders"] > 0 and acc["outOfRange"] > 0
    main([*args, "--output", "table"])
    table = capsys.readouterr().out
    assert (
        f"{acc['outOfRange']:,} records read outside" in table and f"pruned          {acc['pruned']:,} files" in table
    )
    main([*args, "--output", "csv"])
    csv_text = capsys.readouterr().out
    assert (
        f"{acc['outOfRange']},,,,,records out of range" in csv_text and f"{acc['pruned']},,,,,files pruned" in csv_text
    )


def test_the_alarm_emulation_starts_at_since(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["replay", str(tree), "--rule", "CWL-012", "--since", "2024-03-05T10:00Z", "--until", "2024-03-05T16:00Z",
          "--output", "json", "--jobs", "1"])  # fmt: skip
    alarm = json.loads(capsys.readouterr().out)["alarm"]
    assert alarm["createdAt"] == "2024-03-05T10:00:00Z"  # not the first record's minute
    main(["replay", str(tree), "--rule", "CWL-012", "--output", "json", "--jobs", "1"])
    assert json.loads(capsys.readouterr().out)["alarm"]["createdAt"].startswith("2024-03-04T20:0")


@pytest.mark.parametrize(("text", "ago"), [("90d", 90 * 86_400_000), ("12h", 12 * 3_600_000), ("30m", 1_800_000),
                                           ("2w", 14 * 86_400_000)])  # fmt: skip
def test_relative_times(text: str, ago: int) -> None:
    assert relative_ms(text, now_ms=10**13) == 10**13 - ago
    assert relative_ms("2024-03-04") is None


def test_bad_ranges_are_clear_errors(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ScopeError, match="12-digit"):
        Scope.of(accounts=["12345"])
    assert main(["replay", str(tree), "--rule", "CWL-012", "--since", "2024-03-06", "--until", "2024-03-05"]) == 2
    assert "--since must be before --until" in capsys.readouterr().err
    assert main(["replay", str(tree), "--rule", "CWL-012", "--since", "yesterday"]) == 2
    assert "--since 'yesterday'" in capsys.readouterr().err


def test_s3_prefixes_are_pruned_by_the_layout_as_the_tree_is(tree: Path, s3_env: str) -> None:  # noqa: F811
    upload_tree(s3_env, "range-trail", tree)
    since = START_MS + 30 * 3_600_000
    scope = Scope.of(since, since + 5 * 3_600_000, ["444455556666"], ["us-east-1"])
    local = replay([tree], _mf(), scope=scope)
    remote = replay(["s3://range-trail/"], _mf(), scope=scope)
    assert remote.datapoints == local.datapoints
    numbers = {k: v for k, v in local.accounting.as_dict().items() if isinstance(v, int)}
    assert {k: v for k, v in remote.accounting.as_dict().items() if isinstance(v, int)} == numbers
    assert numbers["prunedFolders"] > 0 and numbers["files"] == _files_in(tree, scope)
    everything = replay(["s3://range-trail/AWSLogs/"], _mf())
    assert everything.accounting.records == replay([tree], _mf()).accounting.records


# ------------------------------------------------------------------ one count per file


def test_a_file_reached_twice_is_read_once(tree: Path, tmp_path: Path) -> None:
    region = tree / "AWSLogs" / ACCOUNTS[0] / "CloudTrail" / "us-east-1"
    one_file = next(region.rglob("*.json.gz"))
    once = replay([region], _mf())
    (tmp_path / "link.json.gz").symlink_to(one_file)
    again = replay([region, region / one_file.relative_to(region), region, tmp_path / "link.json.gz"], _mf())
    assert again.to_json()["datapoints"] == once.to_json()["datapoints"]
    assert again.accounting.files == once.accounting.files
    repeated = [s for s in again.accounting.skipped if "reached again" in s["reason"]]
    assert len(repeated) == once.accounting.files + 2  # the whole region a second time, the file and the link
    assert again.accounting.files_skipped == once.accounting.files_skipped + len(repeated)
    os.remove(tmp_path / "link.json.gz")
