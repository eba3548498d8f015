"""KMS: a rotation function's calls on a secret under a customer managed key.

AWS: Secrets Manager decrypts (GetSecretValue) and encrypts (PutSecretValue:
kms:GenerateDataKey) a secret's versions with its KMS key, as the caller. A
customer managed key's policy must allow the caller, directly or by
delegating to IAM through the account's root principal (then the caller's IAM
policies must allow it); else the call fails with AccessDeniedException
"Access to KMS is not allowed". moto never checks. The harness checks the
calls rotation functions make (it knows which function calls: the session
token awslambda.py gives each one names it) and refuses them as AWS does.
Callers other than rotation functions are not checked. Nothing in moto is
patched, so there is no apply().
"""

from __future__ import annotations

import json
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends
from moto.kms.models import kms_backends
from moto.secretsmanager import models as sm

from .common import STATE
from .iam import _decide, _documents, _statements

# The session token each rotation function's calls carry: this prefix, then its ARN.
FUNCTION_TOKEN = "rotctl-function:"
ACTIONS = {"GetSecretValue": "kms:Decrypt", "PutSecretValue": "kms:GenerateDataKey"}
DENIED = "Access to KMS is not allowed"


def _listed(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value is not None else []


def _covers(patterns: list[str], action: str) -> bool:
    for pattern in patterns:
        p = pattern.lower()
        if p in ("*", "kms:*", action.lower()) or (p.endswith("*") and action.lower().startswith(p[:-1])):
            return True
    return False


def refusal(operation: str, body: bytes, region: str, account: str, token: str) -> str | None:
    """AWS's refusal of a rotation function's call, when its role may not use the secret's key."""
    action = ACTIONS.get(operation)
    if action is None or not token.startswith(FUNCTION_TOKEN):
        return None
    function_arn = token[len(FUNCTION_TOKEN):]
    try:
        secret_id = json.loads(body or b"{}").get("SecretId", "")
    except ValueError:
        return None
    with STATE:
        secrets = sm.secretsmanager_backends[account][region].secrets
        secret = secrets.get(secret_id) if secret_id in secrets else None
        key_id = getattr(secret, "kms_key_id", None)
        if not key_id or "alias/aws/secretsmanager" in key_id:
            return None  # the AWS managed key lets the account's principals use it through Secrets Manager
        try:
            key = kms_backends[account][region].describe_key(key_id)
            function = lambda_backends[account][region].get_function(function_arn)
        except Exception:  # noqa: BLE001 - a key or function that is gone: left to the call itself
            return None
        role = function.role
        statements = json.loads(key.policy).get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        roles = [r for r in iam_backends[account]["aws"].roles.values() if r.arn == role]
        identity = [s for r in roles for d in _documents(r) for s in _statements(d if isinstance(d, str) else json.dumps(d))]
    root = f"arn:aws:iam::{account}:root"
    allowed = False
    for statement in statements:
        if not _covers(_listed(statement.get("Action")), action):
            continue
        principal = statement.get("Principal")
        who = [principal] if isinstance(principal, str) else _listed((principal or {}).get("AWS"))
        names_role = "*" in who or role in who
        names_root = root in who or account in who
        if statement.get("Effect") == "Deny" and (names_role or names_root) and not statement.get("Condition"):
            return DENIED
        if statement.get("Effect") != "Allow":
            continue
        if names_role:
            allowed = True
        elif names_root:
            context = {"kms:viaservice": f"secretsmanager.{region}.amazonaws.com", "kms:calleraccount": account}
            allowed = allowed or _decide(identity, action, key.arn, context)[0] == "allowed"
    return None if allowed else DENIED
