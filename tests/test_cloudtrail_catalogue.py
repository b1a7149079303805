"""The CloudTrail catalogue (cwfilter.cloudtrail): current with botocore, true to the real
records of ../shared/data, small, and loaded only when used."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from cwfilter import cloudtrail

from .shared import CLOUDTRAIL, ROOT

# Datasets whose records were rewritten after delivery (sanitized test fixtures, Logstash
# output, trimmed integration samples without managementEvent): not CloudTrail's own fields.
REWRITTEN = {"panther-analysis-test-events", "otrf-security-datasets", "elastic-integrations-samples"}
# Real (source, name) pairs the catalogue does not list, and why: console-internal calls no
# SDK models (CloudTrail logs them under the service's source), retired services, names that
# carry an API version (the catalogue says it cannot decide those: open_names()).
NOT_LISTED = {
    ("billingconsole.amazonaws.com", "*"): "console-only actions (eventType AwsConsoleAction)",
    ("cloudshell.amazonaws.com", "*"): "CloudShell has no public API model",
    ("macie.amazonaws.com", "*"): "Macie Classic, retired from botocore",
    ("discovery-marketplace.amazonaws.com", "*"): "console-internal",
    ("s3.amazonaws.com", "GetStorageLensDashboardDataInternal"): "console-internal",
    ("rds.amazonaws.com", "DescribeRecommendationGroups"): "console-internal",
    ("rds.amazonaws.com", "DescribeRecommendations"): "console-internal",
    ("bedrock.amazonaws.com", "PutFoundationModelEntitlement"): "console-internal",
    ("signin.amazonaws.com", "AssumeRole"): "console role switch, undocumented name",
    ("sso.amazonaws.com", "*"): "IAM Identity Center portal calls, not in the SDK",
    ("sso-directory.amazonaws.com", "AddMemberToGroup"): "pre-identitystore name",
    ("es.amazonaws.com", "ListNotifications"): "console-internal",
}


def _real_pairs() -> Counter[tuple[str, str]]:
    from .cloudtrail_data import records

    pairs: Counter[tuple[str, str]] = Counter()
    for source, _file, _i, rec in records():
        if source in REWRITTEN or not isinstance(rec, dict) or not rec.get("eventSource"):
            continue
        pairs[(rec["eventSource"], rec["eventName"])] += 1
    return pairs


needs_data = pytest.mark.skipif(not CLOUDTRAIL.is_dir(), reason="../shared/data/cloudtrail is absent")


def test_catalogue_is_current_with_the_installed_botocore() -> None:
    pytest.importorskip("botocore")
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "catalogue.py"), "--check"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_sources_and_names() -> None:
    assert cloudtrail.known_source("s3.amazonaws.com") and not cloudtrail.known_source("S3.amazonaws.com")
    assert "PutBucketAcl" in cloudtrail.operations("s3.amazonaws.com")
    assert "PutBucketACL" not in cloudtrail.operations("s3.amazonaws.com")
    assert "s3-outposts.amazonaws.com" in cloudtrail.sources_of("PutBucketPolicy")
    assert cloudtrail.sources_of("ConsoleLogin") == ("signin.amazonaws.com",)
    assert "ses.amazonaws.com" in cloudtrail.known_sources() and "ecr.amazonaws.com" in cloudtrail.known_sources()
    assert cloudtrail.open_names("lambda.amazonaws.com") and cloudtrail.open_names("s3.amazonaws.com") is None
    assert cloudtrail.info()["events"] > 15000


def test_facts_of_an_event() -> None:
    acl = cloudtrail.event("s3.amazonaws.com", "PutBucketAcl")
    assert acl is not None and not acl.read_only and not acl.data and acl.kind == "AwsApiCall"
    facts = cloudtrail.facts(acl)
    assert facts[("readOnly",)] is False and facts[("eventType",)] == "AwsApiCall"
    assert facts[("eventCategory",)] == "Management" and facts[("managementEvent",)] is True
    assert facts[("requestParameters", "acl")] is cloudtrail.PRESENT
    assert facts[("requestParameters", "bucketName")] is cloudtrail.PRESENT
    get = cloudtrail.event("s3.amazonaws.com", "GetObject")
    assert get is not None and get.read_only and get.data
    login = cloudtrail.event("signin.amazonaws.com", "ConsoleLogin")
    assert login is not None and login.kind == "AwsConsoleSignIn"
    assert ("additionalEventData", "MFAUsed") in cloudtrail.facts(login)


@needs_data
@pytest.mark.real_data
def test_every_real_event_is_listed_or_explained() -> None:
    missing = {}
    for (source, name), n in _real_pairs().items():
        if cloudtrail.event(source, name) or cloudtrail.open_names(source):
            continue
        if (source, name) in NOT_LISTED or (source, "*") in NOT_LISTED:
            continue
        missing[(source, name)] = n
    assert missing == {}


@needs_data
@pytest.mark.real_data
def test_flags_agree_with_real_records() -> None:
    """readOnly, managementEvent and the fields of the kind, on every delivered record of the
    current format (eventVersion 1.08 and later) that the catalogue lists."""
    from .cloudtrail_data import records

    wrong: Counter[str] = Counter()
    checked = 0
    for source, _f, _i, rec in records():
        if source in REWRITTEN or not isinstance(rec, dict) or rec.get("eventType") != "AwsApiCall":
            continue
        if float(rec.get("eventVersion") or 0) < 1.08:
            continue
        e = cloudtrail.event(rec.get("eventSource", ""), rec.get("eventName", ""))
        if e is None:
            continue
        checked += 1
        for path, fact in cloudtrail.facts(e).items():
            if not cloudtrail.holds(rec, path, fact):
                wrong[f"{e.label} {'.'.join(path)}"] += 1
    assert checked > 20000
    # One StartLogging record of stratus-red-team says readOnly true (7 others: false).
    assert {k for k in wrong if "StartLogging readOnly" not in k} == set()


def test_loaded_only_when_used() -> None:
    code = (
        "import sys, cwfilter; cwfilter.compile('{ $.eventName = PutBucketAcl }').matches('{}'); "
        "print('cwfilter.cloudtrail' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_shipped_file_is_small() -> None:
    from importlib import resources

    size = len(resources.files("cwfilter.cloudtrail").joinpath("catalogue.json.gz").read_bytes())
    assert size < 400_000
