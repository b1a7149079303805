"""Generate cwfilter's CloudTrail catalogue (src/cwfilter/cloudtrail/catalogue.json.gz) from
botocore's service models and CloudTrail's documented conventions (``make catalogue``).

For every service: its ``eventSource`` (``<endpointPrefix>.amazonaws.com`` and the documented
exceptions below), its operations (``eventName``), read-only or mutating, management or data
event, and the request fields the operation's records carry (the required members of the
input shape as CloudTrail names them; S3's bucket name and subresource key). For every kind
of record (``eventType``): the fields every record of that kind has. Non-API events
CloudTrail documents (console sign-in, AWS service events) are listed with their sources.

Run with botocore installed (the test extra brings it); the package reads the generated file
and never imports botocore. ``--check`` exits 1 when the shipped file is not what this
botocore would generate (the test suite runs it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "cwfilter" / "cloudtrail" / "catalogue.json.gz"
FORMAT = 1

# endpointPrefix -> eventSource, where CloudTrail's source is not <endpointPrefix>.amazonaws.com
# (CloudTrail user guide, "CloudTrail supported services and integrations", and each service's
# "Logging ... API calls using AWS CloudTrail" page; each one also seen in ../shared/data).
SOURCE_EXCEPTIONS: dict[str, str] = {
    "email": "ses.amazonaws.com",  # SES v1 and v2
    "api.ecr": "ecr.amazonaws.com",
    "api.ecr-public": "ecr-public.amazonaws.com",
    "api.sagemaker": "sagemaker.amazonaws.com",
    "runtime.sagemaker": "sagemaker.amazonaws.com",
    "s3-control": "s3.amazonaws.com",  # S3 Control (account-level S3 calls) logs as s3
    "applicationinsights": "application-insights.amazonaws.com",
    "streams.dynamodb": "dynamodb.amazonaws.com",
    "runtime.lex": "lex.amazonaws.com",
    "models.lex": "lex.amazonaws.com",
    "api.pricing": "pricing.amazonaws.com",
    "portal.sso": "sso.amazonaws.com",
    "identitystore": "sso-directory.amazonaws.com",
    "data.iot": "iotdata.amazonaws.com",
    "bedrock-runtime": "bedrock.amazonaws.com",
    "bedrock-agent": "bedrock.amazonaws.com",
    "bedrock-agent-runtime": "bedrock.amazonaws.com",
}

# eventNames CloudTrail writes for S3 calls that differ from the SDK's operation names (Amazon S3
# user guide, "Amazon S3 CloudTrail events"; each seen in ../shared/data): name -> read-only.
S3_EVENT_NAMES: dict[str, bool] = {
    "ListBucket": True, "ListBucketVersions": True, "ListAllMyBuckets": True, "GetBucketPublicAccessBlock": True,
    "PutBucketPublicAccessBlock": False, "DeleteBucketPublicAccessBlock": False,
    "GetAccountPublicAccessBlock": True, "PutAccountPublicAccessBlock": False,
    "DeleteAccountPublicAccessBlock": False, "GetAccelerateConfiguration": True, "PutAccelerateConfiguration": False,
    "GetBucketObjectLockConfiguration": True, "PutBucketObjectLockConfiguration": False,
}  # fmt: skip

S3_NUMBERS = ["additionalEventData.bytesTransferredIn", "additionalEventData.bytesTransferredOut"]

# Sources whose eventName carries the API version after the operation's name (Lambda:
# CreateFunction20150331, UpdateFunctionCode20150331v2; CloudFront: CreateFunction2020_05_31):
# which suffix an operation gets is not in the model, so the catalogue cannot decide their names.
VERSIONED_NAMES: dict[str, str] = {
    "lambda.amazonaws.com": "eventName carries the API version (CreateFunction20150331, GetFunction20150331v2)",
    "cloudfront.amazonaws.com": "eventName may carry the API version (CreateFunction2020_05_31)",
}

# Data events (CloudTrail user guide, "Logging data events": resources.type values) for the
# services whose operations are split between management and data events.
DATA_OPERATIONS: dict[str, frozenset[str]] = {
    "lambda": frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"}),
    "dynamodb": frozenset({
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem", "Query", "Scan",
        "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
    }),
    "dynamodbstreams": frozenset({"GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"}),
    "sns": frozenset({"Publish", "PublishBatch"}),
    "sqs": frozenset({"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
                      "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"}),
    "kinesis": frozenset({"PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"}),
    "s3": frozenset({"DeleteObjects", "ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads",
                     "HeadBucket", "ListBucket", "ListBucketVersions"}),
    "sesv2": frozenset({"SendEmail", "SendBulkEmail"}),
    "ses": frozenset({"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"}),
}  # fmt: skip
_OBJECT_URI = re.compile(r"\{Key\+?\}")  # S3 and S3 on Outposts object-level calls are data events

# Read-only operations: CloudTrail marks as readOnly the calls that read without changing
# (the verbs below); checked against the readOnly of the real records in ../shared/data.
READ_VERBS = (
    "Get", "List", "Describe", "Head", "Lookup", "Search", "BatchGet", "Query", "Scan", "Select", "View",
    "Check", "Validate", "Preview", "Estimate", "Simulate", "Test", "Export", "Download", "Detect",
    "Discover", "Poll", "Receive", "Read", "Filter", "Retrieve", "Compare", "Evaluate", "Explain", "Count",
)  # fmt: skip

# Operations whose readOnly the verbs above get wrong, from the real records of ../shared/data.
READ_ONLY: dict[str, dict[str, bool]] = {
    "sts": {"AssumeRole": True, "AssumeRoleWithSAML": True, "AssumeRoleWithWebIdentity": True, "AssumeRoot": True,
            "GetSessionToken": False, "GetFederationToken": False},
    "kms": dict.fromkeys(("Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPairWithoutPlaintext", "Sign", "Verify", "GenerateMac", "VerifyMac", "GenerateRandom"), True),
    "ses": {"SendEmail": True, "SendRawEmail": True, "SendTemplatedEmail": True, "SendBulkTemplatedEmail": True},
    "sesv2": {"SendEmail": True, "SendBulkEmail": True},
    "bedrock-runtime": {"InvokeModel": True, "InvokeModelWithResponseStream": True, "Converse": True,
                        "ConverseStream": True},
}  # fmt: skip

# Calls of AWS agents that CloudTrail logs but botocore has no model for (IAM's Service
# Authorization Reference lists them as actions; each seen in ../shared/data): source -> names.
AGENT_CALLS: dict[str, tuple[str, ...]] = {
    "ssm.amazonaws.com": ("UpdateInstanceInformation", "ListInstanceAssociations", "UpdateInstanceAssociationStatus",
                          "PutInventory", "PutComplianceItems"),
    "ec2messages.amazonaws.com": ("AcknowledgeMessage", "DeleteMessage", "FailMessage", "GetEndpoint", "GetMessages",
                                  "SendReply", "SendHeartbeat"),
    "ssmmessages.amazonaws.com": ("CreateControlChannel", "CreateDataChannel", "OpenControlChannel",
                                  "OpenDataChannel"),
}  # fmt: skip

# The kinds of record (eventType) and the fields every record of a kind has, in the current
# record format (eventVersion 1.08 and later; CloudTrail user guide, "CloudTrail record
# contents": readOnly since 1.01, managementEvent 1.06, eventCategory 1.07).
KINDS: dict[str, list[str]] = {
    "AwsApiCall": ["eventVersion", "userIdentity", "userIdentity.type", "eventTime", "eventSource", "eventName",
                   "awsRegion", "sourceIPAddress", "eventID", "eventType", "readOnly", "managementEvent",
                   "eventCategory", "recipientAccountId"],
    "AwsServiceEvent": ["eventVersion", "userIdentity", "userIdentity.type", "eventTime", "eventSource", "eventName",
                        "awsRegion", "sourceIPAddress", "eventID", "eventType", "readOnly", "managementEvent",
                        "eventCategory", "recipientAccountId", "serviceEventDetails"],
    "AwsConsoleSignIn": ["eventVersion", "userIdentity", "userIdentity.type", "eventTime", "eventSource", "eventName",
                         "awsRegion", "sourceIPAddress", "eventID", "eventType", "readOnly", "managementEvent",
                         "eventCategory", "recipientAccountId", "responseElements", "additionalEventData"],
    "AwsConsoleAction": ["eventVersion", "userIdentity", "userIdentity.type", "eventTime", "eventSource", "eventName",
                         "awsRegion", "sourceIPAddress", "eventID", "eventType", "readOnly", "managementEvent",
                         "eventCategory", "recipientAccountId"],
    "AwsVpceEvent": ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                     "sourceIPAddress", "eventID", "eventType", "eventCategory", "recipientAccountId"],
}  # fmt: skip
IDENTITY_TYPES = [
    "Root", "IAMUser", "AssumedRole", "Role", "FederatedUser", "Directory", "AWSAccount", "AWSService",
    "IdentityCenterUser", "SAMLUser", "WebIdentityUser", "Unknown",
]  # fmt: skip

# Non-API events CloudTrail documents: source -> name -> (flags, fields present in every record,
# as full dotted paths). "AWS Management Console sign-in events" and "AWS service events".
NON_API: dict[str, dict[str, tuple[str, list[str]]]] = {
    "signin.amazonaws.com": {
        "ConsoleLogin": ("wc", ["responseElements.ConsoleLogin", "additionalEventData.MFAUsed",
                                "additionalEventData.LoginTo", "additionalEventData.MobileVersion"]),
        "CheckMfa": ("wc", ["responseElements.CheckMfa"]),
        "SwitchRole": ("wc", ["responseElements.SwitchRole"]),
        "ExitRole": ("wc", ["responseElements.ExitRole"]),
        "RenewRole": ("wc", ["responseElements.RenewRole"]),
        "ConsoleLogout": ("wc", []),
        "PasswordUpdated": ("wc", []),
        "GetSigninToken": ("wc", []),
        "ExternalIdPDirectoryLogin": ("wc", []),
        "CredentialChallenge": ("wc", []),
        "CredentialVerification": ("wc", []),
    },
    "kms.amazonaws.com": {"RotateKey": ("ws", []), "DeleteExpiredKeyMaterial": ("ws", []), "DeleteKey": ("ws", [])},
    "secretsmanager.amazonaws.com": {
        "StartSecretVersionDelete": ("ws", []), "EndSecretVersionDelete": ("ws", []),
        "RotationStarted": ("ws", []), "RotationSucceeded": ("ws", []), "RotationFailed": ("ws", []),
    },
    "ec2.amazonaws.com": {"SharedSnapshotCopyInitiated": ("ws", []), "SharedSnapshotVolumeCreated": ("ws", [])},
    "organizations.amazonaws.com": {"CreateAccountResult": ("ws", [])},
    "sso.amazonaws.com": {"Authenticate": ("ws", [])},
    "cloudtrail.amazonaws.com": {"CloudTrailInsight": ("ws", [])},
}  # fmt: skip


OUTPOSTS = "s3-outposts.amazonaws.com"


def _event_source(metadata: dict[str, Any], service: str) -> str:
    prefix = metadata.get("endpointPrefix", service)
    return SOURCE_EXCEPTIONS.get(prefix, f"{prefix}.amazonaws.com")


def _sources_of(metadata: dict[str, Any], service: str, name: str, uri: str) -> list[str]:
    """The eventSources of one operation. S3 on Outposts (S3 user guide, "Logging S3 on Outposts
    with CloudTrail") logs as s3-outposts.amazonaws.com: S3 Control's bucket calls, which act on
    Outposts buckets only, and the object calls made through an Outposts access point."""
    if service == "s3control" and "Bucket" in name:
        return [OUTPOSTS]
    if service == "s3" and _OBJECT_URI.search(uri):
        return [_event_source(metadata, service), OUTPOSTS]
    return [_event_source(metadata, service)]


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _request_fields(model: dict[str, Any], op: dict[str, Any], protocol: str, service: str) -> list[str]:
    """The requestParameters keys every record of the operation carries, as CloudTrail names them."""
    uri = op.get("http", {}).get("requestUri", "")
    if service == "s3":
        fields = ["bucketName"] if "{Bucket}" in uri else []
        if _OBJECT_URI.search(uri):
            fields.append("key")
        query = uri.partition("?")[2]
        fields += [q.partition("=")[0] for q in query.split("&") if q and "=" not in q and "{" not in q]
        return fields
    if protocol not in ("json", "query"):
        return []  # EC2 wraps lists and newer requests; REST members move to the URI: not decidable
    shape = model["shapes"].get(op.get("input", {}).get("shape", ""), {})
    out = []
    for member in shape.get("required", []):
        spec = shape.get("members", {}).get(member, {})
        if not model["shapes"].get(spec.get("shape", ""), {}).get("sensitive"):
            out.append(_lower_first(member))
    return out


def _flags(name: str, service: str, uri: str) -> str:
    read = READ_ONLY.get(service, {}).get(name)
    flags = "r" if (name.startswith(READ_VERBS) if read is None else read) else "w"
    if name in DATA_OPERATIONS.get(service, ()) or (service == "s3" and _OBJECT_URI.search(uri)):
        flags += "d"
    return flags


def build() -> dict[str, Any]:
    """The catalogue as data (what is written, gzipped, to ``OUT``)."""
    import botocore
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    sources: dict[str, dict[str, Any]] = {}
    for service in sorted(session.get_available_services()):
        model = loader.load_service_model(service, "service-2")
        meta = model["metadata"]
        protocol = meta.get("protocol", "")
        for name, op in model["operations"].items():
            uri = op.get("http", {}).get("requestUri", "")
            for source in _sources_of(meta, service, name, uri):
                entry = sources.setdefault(source, {"services": [], "ops": {}, "fields": {}})
                if service not in entry["services"]:
                    entry["services"].append(service)
                if (
                    name not in entry["ops"]
                    or name in READ_ONLY.get(service, {})
                    or name in DATA_OPERATIONS.get(service, ())
                ):
                    entry["ops"][name] = _flags(name, service, uri)  # a service's own table wins over a namesake
                fields = _request_fields(model, op, protocol, service)
                if fields and source != OUTPOSTS:
                    entry["fields"].setdefault(name, " ".join(fields))
    for name, read in S3_EVENT_NAMES.items():
        sources["s3.amazonaws.com"]["ops"].setdefault(
            name, ("r" if read else "w") + ("d" * (name in DATA_OPERATIONS["s3"]))
        )
        sources["s3.amazonaws.com"]["fields"].setdefault(name, "bucketName" if "Bucket" in name else "")
    for source, note in VERSIONED_NAMES.items():
        sources[source]["open"] = note
    for source, names in AGENT_CALLS.items():
        entry = sources.setdefault(source, {"services": [], "ops": {}, "fields": {}})
        for name in names:
            entry["ops"].setdefault(name, "r" if name.startswith(READ_VERBS) else "w")
    # S3 writes bucketName and the subresource key in every record of a bucket call (errors too),
    # and the bytes in and out as numbers in additionalEventData (S3 user guide, "CloudTrail log
    # file entries for Amazon S3"; every record of ../shared/data of format 1.08 and later).
    sources["s3.amazonaws.com"]["fieldsAlways"] = True
    sources["s3.amazonaws.com"]["numbers"] = S3_NUMBERS
    events: dict[str, Any] = {}
    for source, ops in NON_API.items():
        events[source] = {name: {"flags": flags, "record": fields} for name, (flags, fields) in ops.items()}
    for entry in sources.values():
        entry["ops"] = dict(sorted(entry["ops"].items()))
        entry["fields"] = {k: v for k, v in sorted(entry["fields"].items()) if v}
    return {
        "format": FORMAT,
        "generator": "tools/catalogue.py",
        "botocore": botocore.__version__,
        "recordFormat": "1.08",
        "kinds": KINDS,
        "identityTypes": IDENTITY_TYPES,
        "sources": dict(sorted(sources.items())),
        "nonApi": events,
    }


def encode(data: dict[str, Any]) -> bytes:
    """Compact JSON, gzipped with a fixed mtime so the bytes depend on the content only."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=False).encode()
    return gzip.compress(text, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped catalogue is stale")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    blob = encode(build())
    if args.check:
        current = gzip.decompress(args.out.read_bytes()) if args.out.exists() else b""
        if current != gzip.decompress(blob):
            print(f"{args.out} is stale: run `make catalogue`", file=sys.stderr)
            return 1
        return 0
    args.out.write_bytes(blob)
    print(f"wrote {args.out} ({len(blob)} bytes, {len(gzip.decompress(blob))} uncompressed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
