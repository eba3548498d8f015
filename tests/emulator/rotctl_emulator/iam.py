"""IAM: SimulatePrincipalPolicy for a role (moto 5.2.5 answers it with an
HTTP 500 page: not implemented).

AWS evaluates the role's identity policies (its inline policies and the
managed policies attached to it) for each action on each resource: an
explicit Deny wins, else an Allow allows, else the answer is implicitDeny
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
The statements are matched by moto's own policy evaluator (the one its
access control uses: Action/NotAction and Resource wildcards; conditions only
with context entries, which rotctl does not send). Resource policies (a KMS key
policy, a secret's policy) are not part of it, as in AWS when the caller is not
an IAM user. Nothing in moto is patched, so there is no apply().
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.iam.models import iam_backends

from .common import STATE


def _members(params: dict[str, list[str]], name: str) -> list[str]:
    found = []
    index = 1
    while f"{name}.member.{index}" in params:
        found.append(params[f"{name}.member.{index}"][0])
        index += 1
    return found


def _documents(role: Any) -> list[str]:
    documents = list(role.policies.values())
    for policy in role.managed_policies.values():
        version = next((v for v in policy.versions if v.is_default), None)
        if version is not None:
            documents.append(version.document)
    return documents


def simulate_principal_policy(body: bytes, account: str) -> tuple[int, bytes]:
    """The answer to SimulatePrincipalPolicy for a role of `account` (status, XML)."""
    params = parse_qs(body.decode("utf-8", "replace"))
    source = params.get("PolicySourceArn", [""])[0]
    actions = _members(params, "ActionNames")
    resources = _members(params, "ResourceArns") or ["*"]
    with STATE:
        backend = iam_backends[account]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == source), None)
        if role is None:
            message = f"The role with name {source.rsplit('/', 1)[-1]} cannot be found."
            return 404, (
                "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
                f"<Message>{escape(message)}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
            ).encode()
        policies = [IAMPolicy(d if isinstance(d, str) else json.dumps(d)) for d in _documents(role)]
    members = []
    for action in actions:
        for resource in resources:
            results = [p.is_action_permitted(action, resource) for p in policies]
            if PermissionResult.DENIED in results:
                decision = "explicitDeny"
            elif PermissionResult.PERMITTED in results:
                decision = "allowed"
            else:
                decision = "implicitDeny"
            members.append(
                f"<member><EvalActionName>{escape(action)}</EvalActionName>"
                f"<EvalResourceName>{escape(resource)}</EvalResourceName>"
                f"<EvalDecision>{decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>"
            )
    xml = (
        '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated>"
        f"<EvaluationResults>{''.join(members)}</EvaluationResults></SimulatePrincipalPolicyResult>"
        "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>"
    )
    return 200, xml.encode()
