"""Many accounts at once: the active accounts of an AWS Organization (or the ones named), a role
assumed in each (``OrganizationAccountAccessRole`` by default, with an optional external id), and
every account and region read concurrently on one bounded pool. An account whose role cannot be
assumed is still returned: its model says why it could not be read (every check NO_DATA)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..config.model import DEFAULT_REGION, Account
from ..config.responses import ERRORS, account_from_responses
from .clients import AwsCallError, ClientFactory, assumed_session, call, factory
from .fetch import Fetcher

DEFAULT_ROLE = "OrganizationAccountAccessRole"
DEFAULT_WORKERS = 8


@dataclass
class Target:
    """One account to read: its clients, or why there are none (a role that cannot be assumed)."""

    account_id: str
    client: ClientFactory | None = None
    error: str | None = None


def organization_accounts(client: ClientFactory, region: str = DEFAULT_REGION) -> list[str]:
    """The IDs of the organization's ACTIVE accounts (management or delegated-administrator
    credentials); an ``AwsCallError`` naming the call when it cannot be listed."""
    listed = call(client, "organizations", region, "ListAccounts")
    return [str(a["Id"]) for a in listed.get("Accounts") or [] if a.get("Status", "ACTIVE") == "ACTIVE"]


def targets(
    account_ids: list[str], session: Any, *, region: str = DEFAULT_REGION, role_name: str = DEFAULT_ROLE,
    external_id: str | None = None, pool: ThreadPoolExecutor | None = None,
) -> list[Target]:  # fmt: skip
    """A target per account: the caller's own account with the session's credentials, every
    other one by assuming ``role_name`` in it (concurrently on ``pool``)."""
    base = factory(session)
    me = str(call(base, "sts", region, "GetCallerIdentity").get("Account", ""))

    def one(account_id: str) -> Target:
        if account_id == me:
            return Target(account_id, base)
        return _assume(session, base, account_id, region, role_name, external_id)

    return list(pool.map(one, account_ids) if pool is not None else map(one, account_ids))


def _assume(session: Any, base: ClientFactory, account_id: str, region: str, role: str, external: str | None) -> Target:
    arn = f"arn:{_partition(region)}:iam::{account_id}:role/{role}"
    params = {"RoleArn": arn, "RoleSessionName": "cwfilter-audit", **({"ExternalId": external} if external else {})}
    try:
        creds = call(base, "sts", region, "AssumeRole", **params)["Credentials"]
    except AwsCallError as exc:
        return Target(account_id, error=str(exc))
    return Target(account_id, factory(assumed_session(session, creds)))


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def read_accounts(
    found: list[Target], regions: list[str] | None, *, default_region: str | None = None,
    pool: ThreadPoolExecutor, progress: Callable[[str], None] | None = None,
) -> list[tuple[Account, dict[str, Any]]]:  # fmt: skip
    """Each target's account model and responses, in the order given: identities, then the
    trails of every account and region, then the filters, alarms and subscriptions of every
    account and region, each step spread over ``pool``."""
    fetchers = {t.account_id: Fetcher(t.client) for t in found if t.client is not None}
    say = progress or (lambda _: None)
    say(f"reading {len(fetchers)} account(s)")
    known = [f for f, ok in zip(fetchers.values(), pool.map(lambda f: f.identify(regions, default_region),
                                                              fetchers.values())) if ok]  # fmt: skip
    steps = [(f, r) for f in known for r in f.regions]
    say(f"reading trails: {len(steps)} account-region(s)")
    groups = list(pool.map(lambda step: step[0].trails(step[1]), steps))
    extra = {id(f): sorted({g for (g_f, _), gs in zip(steps, groups) if g_f is f for g in gs} - set(f.regions))
             for f in known}  # fmt: skip
    steps = [(f, r) for f in known for r in f.regions + extra[id(f)]]
    say(f"reading filters, alarms and subscriptions: {len(steps)} account-region(s)")
    list(pool.map(lambda step: step[0].region(step[1]), steps))
    out = []
    for t in found:
        if t.client is None:
            out.append(_unreadable(t, regions or [default_region or DEFAULT_REGION]))
        else:
            responses = fetchers[t.account_id].responses
            out.append((account_from_responses(responses, f"live {t.account_id}"), responses))
    say(f"read {len(out)} account(s)")
    return out


def _unreadable(t: Target, regions: list[str]) -> tuple[Account, dict[str, Any]]:
    """The model of an account that could not be entered: every check NO_DATA naming the call."""
    responses = {"regions.json": {"Regions": [{"RegionName": r} for r in regions]}, ERRORS: {"account.json": t.error}}
    account = account_from_responses(responses, f"live {t.account_id}")
    account.account_id = t.account_id
    return account, responses


@dataclass
class Entered:
    """One account read: its model, the responses it was read from, and its clients (``None``
    when it could not be entered)."""

    account: Account
    responses: dict[str, Any]
    client: ClientFactory | None


def read_organization(
    account_ids: list[str] | None = None, *, regions: list[str] | None = None, profile: str | None = None,
    session: Any = None, role_name: str = DEFAULT_ROLE, external_id: str | None = None,
    max_workers: int = DEFAULT_WORKERS, progress: Callable[[str], None] | None = None,
) -> list[Entered]:  # fmt: skip
    """Every account named (``None``: every active account of the organization the credentials
    manage), each entered by assuming ``role_name`` (the caller's own account with its own
    credentials), read concurrently on ``max_workers`` threads. An ``AwsCallError`` when the
    organization cannot be listed or the caller has no identity."""
    import boto3

    session = session or boto3.Session(profile_name=profile)
    home = session.region_name or (regions[0] if regions else DEFAULT_REGION)
    ids = account_ids if account_ids is not None else organization_accounts(factory(session), home)
    with ThreadPoolExecutor(max_workers, thread_name_prefix="cwfilter-aws") as pool:
        found = targets(ids, session, region=home, role_name=role_name, external_id=external_id, pool=pool)
        read = read_accounts(found, regions, default_region=home, pool=pool, progress=progress)
    return [Entered(account, responses, t.client) for t, (account, responses) in zip(found, read)]
