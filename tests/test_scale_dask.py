"""Dask as the distributed engine: a LocalCluster of 2 worker processes gives exactly the
one-process result over a local tree and over an S3 bucket (a moto_server), and a relative
path replayed from another working directory is read by workers whose own directory differs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cwfilter.cli import main
from cwfilter.replayer import replay
from cwfilter.replayer.cluster import ClusterError, dask_client
from cwfilter.rules import find_rule

from .moto_aws import moto_endpoint  # noqa: F401 - the session's moto_server
from .scale_s3 import s3_env, upload_tree  # noqa: F401 - fixtures
from .synth import generate_tree

distributed = pytest.importorskip("distributed")


def _mf() -> Any:
    return find_rule("CWL-012").metric_filter(via="CWL-012")


@pytest.fixture(scope="module")
def client(s3_env: str) -> Iterator[Any]:  # noqa: F811 - the fixture
    with dask_client("local:2") as c:
        yield c


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dask-tree")
    generate_tree(root, seed=3, hours=3, per_minute=10, episodes=6)
    return root


def test_a_local_cluster_gives_the_one_process_result_over_a_local_tree(client: Any, tree: Path) -> None:
    one = replay([tree], _mf(), jobs=1)
    assert one.accounting.matched > 0
    assert replay([tree], _mf(), executor=client).to_json() == one.to_json()
    assert replay([tree], _mf(), executor=client.get_executor(), jobs=2).to_json() == one.to_json()


def test_a_local_cluster_gives_the_one_process_result_over_an_s3_bucket(client: Any, tree: Path) -> None:
    upload_tree(os.environ["AWS_ENDPOINT_URL_S3"], "dask-trail", tree)
    one = replay(["s3://dask-trail/AWSLogs/"], _mf(), jobs=1)
    local = replay([tree], _mf(), jobs=1)
    assert one.datapoints == local.datapoints and one.accounting.records == local.accounting.records
    assert replay(["s3://dask-trail/AWSLogs/"], _mf(), executor=client).to_json() == one.to_json()


def test_a_relative_path_is_shipped_absolute(client: Any, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers started in another directory: a relative path would name no file there."""
    one = replay([tree], _mf(), jobs=1)
    monkeypatch.chdir(tree.parent)
    relative = replay([tree.name], _mf(), executor=client)
    assert relative.accounting.files_failed == 0
    assert relative.datapoints == one.datapoints
    assert (relative.accounting.files, relative.accounting.records) == (one.accounting.files, one.accounting.records)


def test_cli_dask_option(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tree), "--rule", "CWL-012", "--no-alarm", "--output", "json", "--dask", "local:1"]) in (
        0,
        1,
    )
    with_dask = capsys.readouterr().out
    main(["replay", str(tree), "--rule", "CWL-012", "--no-alarm", "--output", "json", "--jobs", "1"])
    assert capsys.readouterr().out == with_dask


@pytest.mark.parametrize("address", ["local:0", "local:x", "nowhere"])
def test_bad_dask_addresses_are_clear_errors(address: str) -> None:
    with pytest.raises(ClusterError, match="--dask"), dask_client(address):
        pass
