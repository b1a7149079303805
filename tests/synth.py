"""A deterministic generator of realistic CloudTrail S3 trees (the project's own samples
and benchmark corpora): ``AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/*.json.gz``
files of ``{"Records": [...]}``, delivered 1–10 minutes after ``eventTime`` and out of order
within a file as CloudTrail does, with hourly digest files to skip, a background of
ordinary traffic, CWL-012 S3 bucket configuration changes in episodes, and near misses.

    python -m tests.synth OUT_DIR [--hours 3] [--per-minute 6] [--seed 7] [--size-mb N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

CWL012_NAMES = [
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
]

# (eventSource, eventName, weight, readOnly, category) of the background traffic.
BACKGROUND = [
    ("s3.amazonaws.com", "PutObject", 30, False, "Data"),
    ("s3.amazonaws.com", "GetObject", 10, True, "Data"),
    ("s3.amazonaws.com", "GetBucketAcl", 14, True, "Management"),
    ("kms.amazonaws.com", "GenerateDataKey", 10, True, "Management"),
    ("kms.amazonaws.com", "Decrypt", 8, True, "Management"),
    ("ec2.amazonaws.com", "DescribeInstances", 8, True, "Management"),
    ("sts.amazonaws.com", "AssumeRole", 5, True, "Management"),
    ("s3.amazonaws.com", "HeadBucket", 2, True, "Management"),
    ("s3.amazonaws.com", "ListBuckets", 1, True, "Management"),
    ("logs.amazonaws.com", "CreateLogStream", 3, False, "Management"),
    ("iam.amazonaws.com", "GetUser", 2, True, "Management"),
    ("s3.amazonaws.com", "GetBucketPolicy", 2, True, "Management"),
    ("s3.amazonaws.com", "GetBucketLifecycle", 1, True, "Management"),
]
# Near misses: look like bucket configuration changes but are not CWL-012 events.
NEAR_MISSES = [
    ("s3.amazonaws.com", "PutBucketVersioning"),
    ("s3.amazonaws.com", "PutBucketLogging"),
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock"),
    ("s3.amazonaws.com", "PutBucketTagging"),
    ("s3.amazonaws.com", "GetBucketReplication"),
    ("ec2.amazonaws.com", "DeleteBucketReplication"),  # right name, wrong source
]
BUCKETS = ["reports-prod", "public-assets", "logs-archive", "ml-training-data", "backups-eu"]
USERS = ["alice", "bob", "deploy-bot", "carol"]


@dataclass
class GroundTruth:
    """What the generator put in the tree, for tests to compare a replay against."""

    files: int = 0
    digests: int = 0
    records: int = 0
    bytes_uncompressed: int = 0
    cwl012: list[dict[str, str]] = field(default_factory=list)  # eventID, eventTime, eventName, errorCode

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "digests": self.digests, "records": self.records,
                "bytesUncompressed": self.bytes_uncompressed, "cwl012": self.cwl012}  # fmt: skip


class _Writer:
    def __init__(self, rng: random.Random, account: str) -> None:
        self.rng = rng
        self.account = account

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def ident(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        if kind == "AWSService":
            return {"type": "AWSService", "invokedBy": rng.choice(["cloudtrail.amazonaws.com", "config.amazonaws.com"])}
        if kind == "Root":
            return {"type": "Root", "principalId": self.account, "arn": f"arn:aws:iam::{self.account}:root",
                    "accountId": self.account, "accessKeyId": "ASIA" + self.uid().replace("-", "")[:16].upper()}  # fmt: skip
        user = rng.choice(USERS)
        if kind == "AssumedRole":
            return {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{user}",
                    "arn": f"arn:aws:sts::{self.account}:assumed-role/Admin/{user}", "accountId": self.account,
                    "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin",
                                       "arn": f"arn:aws:iam::{self.account}:role/Admin"},
                                       "attributes": {"creationDate": "2024-03-04T07:00:00Z", "mfaAuthenticated": "true"}}}  # fmt: skip
        return {"type": "IAMUser", "principalId": "AIDAEXAMPLE" + user.upper(), "arn": f"arn:aws:iam::{self.account}:user/{user}",
                "accountId": self.account, "accessKeyId": "AKIAEXAMPLE" + user.upper()[:5], "userName": user}  # fmt: skip

    def record(self, when: datetime, region: str, source: str, name: str, *, read_only: bool, category: str,
               error: str | None = None, kind: str | None = None) -> dict[str, Any]:  # fmt: skip
        rng = self.rng
        kind = kind or rng.choices(["IAMUser", "AssumedRole", "AWSService", "Root"], [40, 40, 18, 2])[0]
        bucket = rng.choice(BUCKETS)
        params: dict[str, Any] | None = None
        resources = None
        if source == "s3.amazonaws.com":
            params = {"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com"}
            if category == "Data":
                params["key"] = f"data/{rng.randrange(10**6):06d}.json"
            if name == "PutBucketPolicy":
                params["bucketPolicy"] = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                          "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}  # fmt: skip
            resources = [{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}]
        elif source == "kms.amazonaws.com":
            params = {"keyId": f"arn:aws:kms:{region}:{self.account}:key/{self.uid()}", "keySpec": "AES_256"}
        elif source == "ec2.amazonaws.com":
            params = {"instancesSet": {}, "filterSet": {}} if name.startswith("Describe") else {"bucketName": bucket}
        rec: dict[str, Any] = {
            "eventVersion": "1.09",
            "userIdentity": self.ident(kind),
            "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": f"198.51.100.{rng.randrange(1, 255)}" if kind != "AWSService" else source,
            "userAgent": rng.choice(
                [
                    "aws-cli/2.15.30 md/command#s3api",
                    "Boto3/1.34.0 md/Botocore#1.34.0",
                    "[S3Console/0.4]",
                    "aws-sdk-go-v2/1.25.0",
                ]
            ),
            "requestParameters": params,
            "responseElements": None,
            "requestID": self.uid().replace("-", "")[:16].upper(),
            "eventID": self.uid(),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": category == "Management",
            "recipientAccountId": self.account,
            "eventCategory": category,
            "tlsDetails": {
                "tlsVersion": "TLSv1.3",
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com",
            },
        }
        if resources:
            rec["resources"] = resources
        if error:
            rec["errorCode"] = error
            rec["errorMessage"] = "Access Denied"
        return rec


def generate_tree(
    out: str | Path,
    *,
    seed: int = 7,
    start: datetime = datetime(2024, 3, 4, 8, 0, tzinfo=timezone.utc),
    hours: float = 3,
    per_minute: int = 6,
    account: str = "111122223333",
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    episodes: int = 5,
) -> GroundTruth:
    """Write a CloudTrail S3 tree under ``out`` and return what is in it. Same arguments,
    same bytes."""
    rng = random.Random(seed)
    writer = _Writer(rng, account)
    truth = GroundTruth()
    minutes = int(hours * 60)
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    weights = [w for _, _, w, _, _ in BACKGROUND]
    for minute in range(minutes):
        for _ in range(rng.randint(max(0, per_minute - 3), per_minute + 3)):
            when = start + timedelta(minutes=minute, seconds=rng.randrange(60))
            region = rng.choices(regions, [8] + [2] * (len(regions) - 1))[0]
            source, name, _, read_only, category = rng.choices(BACKGROUND, weights)[0]
            error = "AccessDenied" if rng.random() < 0.05 else None
            events.append((when, region, writer.record(when, region, source, name, read_only=read_only,
                                                       category=category, error=error)))  # fmt: skip
        if rng.random() < 0.02:
            when = start + timedelta(minutes=minute, seconds=rng.randrange(60))
            source, name = rng.choice(NEAR_MISSES)
            events.append((when, regions[0], writer.record(when, regions[0], source, name, read_only=False,
                                                           category="Management")))  # fmt: skip
    # Episodes of bucket configuration changes: 1-3 changes within a few minutes.
    for e in range(episodes):
        at = start + timedelta(minutes=int((e + 0.5) * minutes / max(1, episodes)) + rng.randrange(-5, 5))
        for _ in range(rng.randint(1, 3)):
            when = at + timedelta(seconds=rng.randrange(240))
            region = rng.choice(regions)
            name = rng.choice(CWL012_NAMES)
            error = "AccessDenied" if rng.random() < 0.2 else None
            rec = writer.record(when, region, "s3.amazonaws.com", name, read_only=False, category="Management",
                                error=error, kind=rng.choice(["IAMUser", "AssumedRole", "Root"]))  # fmt: skip
            events.append((when, region, rec))
            truth.cwl012.append({"eventID": rec["eventID"], "eventTime": rec["eventTime"], "eventName": name,
                                 "errorCode": error or ""})  # fmt: skip
    truth.cwl012.sort(key=lambda r: (r["eventTime"], r["eventID"]))
    _write_files(Path(out), rng, account, events, truth)
    return truth


def _write_files(
    root: Path, rng: random.Random, account: str, events: list[tuple[datetime, str, dict[str, Any]]], truth: GroundTruth
) -> None:
    # CloudTrail delivers roughly every 5 minutes per region, 1-10 minutes after eventTime.
    files: dict[tuple[str, datetime], list[dict[str, Any]]] = {}
    for when, region, rec in events:
        delivered = when + timedelta(seconds=rng.randrange(60, 600))
        window = delivered.replace(minute=delivered.minute - delivered.minute % 5, second=0)
        files.setdefault((region, window), []).append(rec)
    for (region, window), records in sorted(files.items()):
        rng.shuffle(records)  # records within a file are not in time order
        stamp = window.strftime("%Y%m%dT%H%MZ")
        suffix = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=16))
        folder = root / "AWSLogs" / account / "CloudTrail" / region / window.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        body = orjson.dumps({"Records": records})
        _write_gzip(folder / f"{account}_CloudTrail_{region}_{stamp}_{suffix}.json.gz", body)
        truth.files += 1
        truth.records += len(records)
        truth.bytes_uncompressed += len(body)
    # Hourly digest files, which replay must skip.
    hours = sorted({(region, w.replace(minute=0)) for region, w in files})
    for region, hour in hours:
        folder = root / "AWSLogs" / account / "CloudTrail-Digest" / region / hour.strftime("%Y/%m/%d")
        folder.mkdir(parents=True, exist_ok=True)
        digest = {"awsAccountId": account, "digestStartTime": hour.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "digestEndTime": (hour + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "digestS3Bucket": "trail-bucket", "digestPublicKeyFingerprint": "0" * 32,
                  "digestSignatureAlgorithm": "SHA256withRSA", "logFiles": []}  # fmt: skip
        name = f"{account}_CloudTrail-Digest_{region}_trail_{region}_{(hour + timedelta(hours=1)).strftime('%Y%m%dT%H%M%SZ')}.json.gz"
        _write_gzip(folder / name, orjson.dumps(digest))
        truth.digests += 1


def _write_gzip(path: Path, body: bytes) -> None:
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hours", type=float, default=3)
    parser.add_argument("--per-minute", type=int, default=6, help="average records per minute")
    parser.add_argument("--size-mb", type=float, help="aim for this many MB of uncompressed JSON instead of --hours")
    parser.add_argument("--truth", help="write the ground truth JSON here")
    args = parser.parse_args(argv)
    hours = args.hours
    if args.size_mb:  # about 1.1 KB per record
        hours = args.size_mb * 1e6 / 1100 / args.per_minute / 60
    truth = generate_tree(args.out, seed=args.seed, hours=hours, per_minute=args.per_minute)
    if args.truth:
        Path(args.truth).write_text(json.dumps(truth.as_dict(), indent=1) + "\n")
    print(f"{truth.files} files, {truth.digests} digests, {truth.records} records, "
          f"{truth.bytes_uncompressed / 1e6:.1f} MB uncompressed, {len(truth.cwl012)} CWL-012 events")  # fmt: skip


if __name__ == "__main__":
    main()
