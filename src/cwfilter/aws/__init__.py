"""AWS in one place: boto3 sessions and clients (adaptive retries, timeouts), the calls the
audit reads an account with, and the one call helper remediation applies a plan with.
boto3 is imported only when a function here needs it."""

from .clients import AwsCallError, ClientFactory, call, method_name, session_clients
from .fetch import Fetcher, read_live
from .organization import Entered, read_organization

__all__ = [
    "AwsCallError",
    "ClientFactory",
    "Entered",
    "Fetcher",
    "call",
    "method_name",
    "read_live",
    "read_organization",
    "session_clients",
]
