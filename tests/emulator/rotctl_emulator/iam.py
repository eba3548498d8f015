"""IAM: SimulatePrincipalPolicy for a role (moto 5.2.5 answers it with an
HTTP 500 page: not implemented).

AWS evaluates the role's identity policies (its inline policies and the
managed policies attached to it) for each action on each resource: an
explicit Deny wins, else an Allow allows, else the answer is implicitDeny
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
Actions and resources are matched with moto's own statement matcher
(Action/NotAction and Resource wildcards, as its access control does); a
statement's conditions are judged against the request's ContextEntries
(String/Arn Equals and Like, their Not forms, Bool; moto's own evaluator knows
StringEquals only and takes any other operator as met). As AWS does, a statement whose condition names a
key the request did not give does not apply, and the key is listed in the
result's MissingContextValues (moto's own evaluator treats a missing key as
met, and a failed condition on an Allow as a Deny). Resource policies (a KMS
key policy, a secret's policy) are not part of it, as in AWS when the caller
is not an IAM user. Nothing in moto is patched, so there is no apply().
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from moto.iam.access_control import IAMPolicyStatement
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


def _statements(document: str) -> list[dict[str, Any]]:
    statements = json.loads(document).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _context(params: dict[str, list[str]]) -> dict[str, str]:
    """ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.1}: key -> value."""
    context = {}
    index = 1
    while f"ContextEntries.member.{index}.ContextKeyName" in params:
        name = params[f"ContextEntries.member.{index}.ContextKeyName"][0]
        value = params.get(f"ContextEntries.member.{index}.ContextKeyValues.member.1", [""])[0]
        context[name.lower()] = value
        index += 1
    return context


def _values(expected: Any) -> list[str]:
    return [str(v) for v in expected] if isinstance(expected, list) else [str(expected)]


def _condition_met(operator: str, expected: Any, actual: str) -> bool:
    """One condition operator on one context value (AWS's IAM condition operators)."""
    name = operator.removesuffix("IfExists")
    negated = name.startswith("StringNot") or name.startswith("ArnNot")
    base = name.replace("Not", "", 1) if negated else name
    if base in ("StringEquals", "ArnEquals"):
        found = actual in _values(expected)
    elif base in ("StringEqualsIgnoreCase",):
        found = actual.lower() in [v.lower() for v in _values(expected)]
    elif base in ("StringLike", "ArnLike"):
        found = any(fnmatch.fnmatchcase(actual, pattern) for pattern in _values(expected))
    elif base == "Bool":
        found = actual.lower() in [v.lower() for v in _values(expected)]
    else:
        return True  # an operator rotctl's checks never meet: taken as met
    return not found if negated else found


def _decide(statements: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> tuple[str, set[str]]:
    """(decision, missing context keys) for one action on one resource."""
    allowed, missing = False, set()
    for statement in statements:
        matcher = IAMPolicyStatement(statement)
        if "NotAction" in statement:
            concerned = not matcher._check_element_matches("NotAction", action)
        else:
            concerned = "Action" in statement and matcher._check_element_matches("Action", action)
        if not concerned:
            continue
        if "NotResource" in statement:
            if matcher._check_element_matches("NotResource", resource):
                continue
        elif "Resource" in statement and not matcher._check_element_matches("Resource", resource):
            continue
        conditions = statement.get("Condition") or {}
        keys = {key for operator in conditions.values() for key in operator}
        absent = {key for key in keys if key.lower() not in context}
        if absent:
            missing |= absent
            continue
        met = all(
            _condition_met(operator, expected, context[key.lower()])
            for operator, pairs in conditions.items()
            for key, expected in pairs.items()
        )
        if not met:
            continue
        if statement.get("Effect") == "Deny":
            return "explicitDeny", set()
        allowed = True
    return ("allowed" if allowed else "implicitDeny"), (set() if allowed else missing)


def simulate_principal_policy(body: bytes, account: str) -> tuple[int, bytes]:
    """The answer to SimulatePrincipalPolicy for a role of `account` (status, XML)."""
    params = parse_qs(body.decode("utf-8", "replace"))
    source = params.get("PolicySourceArn", [""])[0]
    actions = _members(params, "ActionNames")
    resources = _members(params, "ResourceArns") or ["*"]
    context = _context(params)
    with STATE:
        backend = iam_backends[account]["aws"]
        role = next((r for r in backend.roles.values() if r.arn == source), None)
        if role is None:
            message = f"The role with name {source.rsplit('/', 1)[-1]} cannot be found."
            return 404, (
                "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
                f"<Message>{escape(message)}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
            ).encode()
        statements = [s for d in _documents(role) for s in _statements(d if isinstance(d, str) else json.dumps(d))]
    members = []
    for action in actions:
        for resource in resources:
            decision, missing = _decide(statements, action, resource, context)
            absent = "".join(f"<member>{escape(key)}</member>" for key in sorted(missing))
            members.append(
                f"<member><EvalActionName>{escape(action)}</EvalActionName>"
                f"<EvalResourceName>{escape(resource)}</EvalResourceName>"
                f"<EvalDecision>{decision}</EvalDecision><MatchedStatements/>"
                f"<MissingContextValues>{absent}</MissingContextValues></member>"
            )
    xml = (
        '<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        "<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated>"
        f"<EvaluationResults>{''.join(members)}</EvaluationResults></SimulatePrincipalPolicyResult>"
        "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>"
        "</SimulatePrincipalPolicyResponse>"
    )
    return 200, xml.encode()
