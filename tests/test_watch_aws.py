"""``cwfilter watch --log-group`` against a real ``moto_server``: events put with PutLogEvents
are seen, and the CWL-012 notification is published to an SNS topic whose SQS subscriber
receives it; new CloudTrail objects in S3 likewise (issue 27)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from .moto_aws import moto_endpoint

boto3 = pytest.importorskip("boto3")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
__all__ = ["moto_endpoint"]


def _env(endpoint: str) -> dict[str, str]:
    return {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")  # fmt: skip


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sample_records(base: int) -> list[tuple[int, dict[str, Any]]]:
    """The sample events, moved to start at ``base``, 30 s apart."""
    out = []
    for i, line in enumerate((SAMPLES / "cloudtrail-events.jsonl").read_text().splitlines()):
        record = json.loads(line)
        record["eventTime"] = _iso(base + i * 30_000)
        out.append((base + i * 30_000, record))
    return out


def _topic_with_queue(endpoint: str, name: str) -> tuple[str, str]:
    sns, sqs = _client(endpoint, "sns"), _client(endpoint, "sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue_url


def _received(endpoint: str, queue_url: str) -> list[dict[str, Any]]:
    sqs = _client(endpoint, "sqs")
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    return [json.loads(m["Body"]) for m in got]


def _watch(endpoint: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cwfilter", "watch", "--rule", "CWL-012", "--output", "json",
                           "--poll", "1", *args], env=_env(endpoint), capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def _notifications(stdout: str) -> list[dict[str, Any]]:
    return [d for d in map(json.loads, stdout.splitlines()) if d["type"] == "notification"]


def test_watch_log_group_publishes_the_cwl012_notification_to_sns(moto_endpoint: str) -> None:
    logs = _client(moto_endpoint, "logs")
    logs.create_log_group(logGroupName="trail")
    logs.create_log_stream(logGroupName="trail", logStreamName="111122223333_CloudTrail_us-east-1")
    now = int(time.time() * 1000)
    base = now - now % 60_000 - 10 * 60_000
    events = [{"timestamp": ts, "message": json.dumps(r)} for ts, r in _sample_records(base)]
    logs.put_log_events(logGroupName="trail", logStreamName="111122223333_CloudTrail_us-east-1", logEvents=events)
    topic, queue_url = _topic_with_queue(moto_endpoint, "security")
    done = _watch(moto_endpoint, "--log-group", "trail", "--notify-sns", topic, "--alarm-created-at", _iso(base),
                  "--alarm-until", _iso(now - now % 60_000))  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = _notifications(done.stdout)
    assert [n["message"]["NewStateValue"] for n in printed] == ["ALARM"]
    assert "12 records: 4 matched" in done.stderr  # moto filters a JSON pattern approximately: matched again here
    received = _received(moto_endpoint, queue_url)
    assert len(received) == 1
    envelope = received[0]
    assert envelope["TopicArn"] == topic and envelope["Subject"] == printed[0]["subject"]
    assert json.loads(envelope["Message"]) == printed[0]["message"]


def test_watch_s3_reads_new_cloudtrail_objects(moto_endpoint: str) -> None:
    s3 = _client(moto_endpoint, "s3")
    s3.create_bucket(Bucket="trail-bucket")
    now = int(time.time() * 1000)
    base = now - now % 60_000 - 10 * 60_000
    records = [r for _, r in _sample_records(base)]
    for region, part in (("eu-west-1", records[:6]), ("us-east-1", records[6:])):
        stamp = datetime.fromtimestamp((base + 6 * 60_000) / 1000, tz=timezone.utc)
        key = (f"AWSLogs/111122223333/CloudTrail/{region}/{stamp:%Y/%m/%d}/"
               f"111122223333_CloudTrail_{region}_{stamp:%Y%m%dT%H%MZ}_abc.json.gz")  # fmt: skip
        s3.put_object(Bucket="trail-bucket", Key=key, Body=gzip.compress(json.dumps({"Records": part}).encode()))
    done = _watch(moto_endpoint, "--s3", "s3://trail-bucket/AWSLogs/", "--alarm-created-at", _iso(base),
                  "--alarm-until", _iso(now - now % 60_000), "--topic-arn", "arn:aws:sns:us-east-1:111122223333:x")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "12 records: 4 matched" in done.stderr
    assert [n["message"]["NewStateValue"] for n in _notifications(done.stdout)] == ["ALARM"]
