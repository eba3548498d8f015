"""STS as AWS is where rotctl depends on it: assuming a role in another
account (an organization-wide audit). moto 5.2.5 gets this wrong
(docs/emulator.md row 22):

22. AssumeRole succeeds for any role ARN, in any account: "the role does not
    need to exist" (moto's docstring), whatever its trust policy says and
    whatever the external id. AWS refuses (AccessDenied) when the role does
    not exist, when its trust policy does not let the caller's account assume
    it, and when the trust policy requires an sts:ExternalId the caller did
    not pass. Here the same, so an account whose audit role is missing (or
    trusts someone else) fails as it does in AWS.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.core.exceptions import ServiceException
from moto.iam.models import iam_backends
from moto.sts import models as sts


class AccessDenied(ServiceException):
    code = "AccessDenied"


ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _trusts(document: str, caller: str, external_id: str | None) -> bool:
    try:
        policy = json.loads(document)
    except (TypeError, ValueError):
        return False
    for statement in _as_list(policy.get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in _as_list(statement.get("Action", []))):
            continue
        principal = statement.get("Principal", {})
        principals = ["*"] if principal == "*" else _as_list(principal.get("AWS", [])) if isinstance(principal, dict) else []
        if not any(p in ("*", caller, f"arn:aws:iam::{caller}:root") or p.startswith(f"arn:aws:iam::{caller}:") for p in principals):
            continue
        condition = statement.get("Condition", {})
        wanted = condition.get("StringEquals", {}).get("sts:ExternalId")
        if wanted is not None and external_id not in _as_list(wanted):
            continue
        return True
    return False


_original_assume_role = sts.STSBackend.assume_role


def assume_role(self: sts.STSBackend, region_name: str, role_session_name: str, role_arn: str, policy: str,
                duration: int, external_id: str) -> Any:
    caller = self.account_id
    match = ROLE_ARN.match(role_arn or "")
    denied = AccessDenied(
        f"User: arn:aws:iam::{caller}:user/caller is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )
    if not match:
        raise denied
    account, name = match.groups()
    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == name), None)
    if role is None or not _trusts(role.assume_role_policy_document, caller, external_id):
        raise denied
    return _original_assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id)


def apply() -> None:
    sts.STSBackend.assume_role = assume_role
