"""rotctl's test emulator: moto server (pinned, see requirements.txt), corrected
where moto 5.2.5 differs from AWS in ways rotctl depends on, plus what AWS has
and moto lacks for testing (running rotation functions, fault injection, a
per-caller call log, settable dates).

    python tests/emulator/server.py [--port 0] [--log FILE]

Prints `READY <port>` on stdout once it serves on 127.0.0.1, and exits when its
stdin closes, so the test process that started it never leaks it.

Every patch below carries a comment naming the AWS behaviour it restores.
The control endpoints live under /_harness/ (see HarnessApp.control).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from werkzeug.serving import make_server  # noqa: E402

from moto.awslambda import models as lambda_models  # noqa: E402
from moto.awslambda.exceptions import LambdaClientError  # noqa: E402
from moto.awslambda.policy import Policy as LambdaPolicy  # noqa: E402
from moto.cloudformation import models as cfn_models  # noqa: E402
from moto.cloudformation.exceptions import AlreadyExistsException as CfnAlreadyExists  # noqa: E402
from moto.cloudformation.exceptions import ValidationError as CfnValidationError  # noqa: E402
from moto.ec2 import exceptions as ec2_exceptions  # noqa: E402
from moto.ec2 import models as ec2_models  # noqa: E402
from moto.ec2.models import vpcs as ec2_vpcs  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.secretsmanager import models as sm  # noqa: E402
from moto.secretsmanager import responses as sm_responses  # noqa: E402
from moto.secretsmanager.exceptions import (  # noqa: E402
    InvalidParameterException,
    InvalidRequestException,
    SecretNotFoundException,
    SecretsManagerClientError,
)

ACCOUNT_ID = "123456789012"
# The access key the rotation functions run with, so their calls are never
# counted as the calls of the test that triggered them.
LAMBDA_ACCESS_KEY = "AKIAHARNESSLAMBDA000"
STUCK_AFTER_SECONDS = 15 * 60

# One lock around every request and every background change to moto's state:
# moto's backends are plain dicts, and rotations now run on their own threads.
STATE = threading.RLock()
ENDPOINT = {"url": ""}
ROTATION_EVENTS: list[dict[str, Any]] = []


def now() -> int:
    return int(time.time())


class AccessDeniedException(SecretsManagerClientError):
    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


# --------------------------------------------------------------------------
# Rotation rules, validated as AWS does
# https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html
# --------------------------------------------------------------------------

RATE = re.compile(r"^rate\((\d+) (hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\((.*)\)$")
MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}


def _cron_values(field: str, low: int, high: int, names: dict[str, int]) -> set[int] | None:
    """The values a cron field allows; None for '?' (any) and for L/W/# forms."""
    if field in ("?", "*"):
        return None
    if any(c in field for c in "LW#"):
        return None
    values: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = int(names.get(a, a)), int(names.get(b, b))
        else:
            start = int(names.get(part, part))
            end = high if step != 1 else start
        if start < low or end > high or step < 1:
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return values


def parse_schedule(expression: str) -> dict[str, Any]:
    """Returns {'kind': 'rate', 'hours': N} or {'kind': 'cron', 'fields': [...], 'hours': set}."""
    invalid = InvalidParameterException(f"Invalid ScheduleExpression: {expression}")
    match = RATE.match(expression)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        hours = amount if unit.startswith("hour") else amount * 24
        if amount < 1 or (unit.startswith("day") and amount > 1000):
            raise invalid
        if hours < 4:
            raise InvalidParameterException("Secrets Manager can rotate a secret at most every four hours.")
        return {"kind": "rate", "hours": hours, "days": amount if unit.startswith("day") else None}
    match = CRON.match(expression)
    if not match:
        raise invalid
    fields = match.group(1).split()
    if len(fields) != 6:
        raise invalid
    minutes, hours, dom, month, dow, year = fields
    if minutes != "0" or year != "*":
        raise InvalidParameterException("Secrets Manager supports cron expressions with minutes 0 and year *.")
    if dom != "?" and dow != "?":
        raise invalid
    try:
        hour_values = _cron_values(hours, 0, 23, {}) or set(range(24))
        _cron_values(dom, 1, 31, {})
        _cron_values(month, 1, 12, MONTHS)
        _cron_values(dow, 1, 7, DAYS)
    except ValueError:
        raise invalid from None
    ordered = sorted(hour_values)
    gaps = [b - a for a, b in zip(ordered, ordered[1:])] + [24 - ordered[-1] + ordered[0]]
    if len(ordered) > 1 and min(gaps) < 4:
        raise InvalidParameterException("Secrets Manager can rotate a secret at most every four hours.")
    return {"kind": "cron", "fields": fields, "hours": ordered, "gap": min(gaps) if len(ordered) > 1 else 24}


def validate_rules(rules: dict[str, Any] | None) -> dict[str, Any] | None:
    """AWS's RotationRules checks; returns the rules as DescribeSecret reports them."""
    if not rules:
        return None
    days = rules.get("AutomaticallyAfterDays")
    expression = rules.get("ScheduleExpression")
    duration = rules.get("Duration")
    if days is not None and expression is not None:
        raise InvalidParameterException(
            "You cannot specify both rotation frequency and schedule expression together."
        )
    if days is not None and not 1 <= int(days) <= 1000:
        raise InvalidParameterException("RotationRules.AutomaticallyAfterDays must be within 1-1000.")
    stored: dict[str, Any] = {}
    if days is not None:
        stored["AutomaticallyAfterDays"] = int(days)
    if expression is not None:
        schedule = parse_schedule(expression)
        if schedule["kind"] == "rate" and schedule["days"]:
            stored["AutomaticallyAfterDays"] = schedule["days"]
        stored["ScheduleExpression"] = expression
        if duration is not None:
            if not re.fullmatch(r"[0-9]+h", duration) or not 2 <= len(duration) <= 3:
                raise InvalidParameterException(f"Invalid Duration: {duration}")
            window = int(duration[:-1])
            # The day's last window must end by midnight UTC.
            start_hour = schedule["hours"][-1] if schedule["kind"] == "cron" else 0
            interval = schedule["hours"] if schedule["kind"] == "rate" else schedule["gap"]
            if window < 1 or start_hour + window > 24 or window >= interval:
                raise InvalidParameterException(
                    "The rotation window must not extend into the next rotation window or the next UTC day."
                )
            stored["Duration"] = duration
    elif duration is not None:
        raise InvalidParameterException("Duration requires a ScheduleExpression.")
    return stored


def next_rotation(rules: dict[str, Any], base: int) -> int | None:
    expression = rules.get("ScheduleExpression")
    if expression is None:
        days = rules.get("AutomaticallyAfterDays")
        return base + int(days) * 86400 if days else None
    schedule = parse_schedule(expression)
    if schedule["kind"] == "rate":
        return base + schedule["hours"] * 3600
    _, hours, dom, month, dow, _ = schedule["fields"]
    hour_set = set(schedule["hours"])
    dom_set = _cron_values(dom, 1, 31, {})
    month_set = _cron_values(month, 1, 12, MONTHS)
    dow_set = _cron_values(dow, 1, 7, DAYS)
    t = datetime.fromtimestamp(base, tz=timezone.utc).replace(minute=0, second=0) + timedelta(hours=1)
    for _ in range(24 * 800):
        aws_dow = (t.isoweekday() % 7) + 1  # SUN=1 .. SAT=7
        if (
            t.hour in hour_set
            and (dom_set is None or t.day in dom_set)
            and (month_set is None or t.month in month_set)
            and (dow_set is None or aws_dow in dow_set)
        ):
            return int(t.timestamp())
        t += timedelta(hours=1)
    return None


# --------------------------------------------------------------------------
# Secrets Manager
# --------------------------------------------------------------------------


def _secret(backend: sm.SecretsManagerBackend, secret_id: str) -> sm.FakeSecret:
    if secret_id not in backend.secrets:
        raise SecretNotFoundException()
    secret = backend.secrets[secret_id]
    if isinstance(secret, sm.ReplicaSecret):
        raise sm.OperationNotPermittedOnReplica
    if secret.is_deleted():
        raise InvalidRequestException(
            "You can't perform this operation on the secret because it was marked for deletion."
        )
    return secret


def _pending_elsewhere(secret: sm.FakeSecret) -> str | None:
    for version_id, version in secret.versions.items():
        stages = version["version_stages"]
        if "AWSPENDING" in stages and "AWSCURRENT" not in stages:
            return version_id
    return None


def _current(secret: sm.FakeSecret) -> dict[str, Any] | None:
    for version in secret.versions.values():
        if "AWSCURRENT" in version["version_stages"]:
            return version
    return None


def _lambda_allows_secretsmanager(fn: Any) -> bool:
    for statement in fn.policy.statements:
        principal = statement.get("Principal", {})
        service = principal.get("Service") if isinstance(principal, dict) else principal
        action = statement.get("Action", "")
        if service == "secretsmanager.amazonaws.com" and action in ("lambda:InvokeFunction", "lambda:*"):
            return statement.get("Effect", "Allow") == "Allow"
    return False


def rotate_secret(
    self: sm.SecretsManagerBackend,
    secret_id: str,
    client_request_token: str | None = None,
    rotation_lambda_arn: str | None = None,
    rotation_rules: dict[str, Any] | None = None,
    rotate_immediately: bool = True,
) -> str:
    # AWS: RotateSecret validates, stores the configuration and answers at once;
    # the four rotation steps then run asynchronously in the rotation function.
    # moto runs nothing, inverts the in-progress check, drops schedules and
    # windows, and forgets the function when none is passed (notes 1-5).
    secret = _secret(self, secret_id)
    rules = validate_rules(rotation_rules)
    function_arn = rotation_lambda_arn or secret.rotation_lambda_arn or None
    if not function_arn and secret.owning_service is None:
        raise InvalidRequestException(
            "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN "
            "configured and you didn't include such an ARN as a parameter in this call."
        )
    if client_request_token is not None:
        self._client_request_token_validator(client_request_token)
        if client_request_token in secret.versions:
            # AWS: a retried request with the same token is the same rotation.
            return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": client_request_token})
    if _pending_elsewhere(secret):
        # AWS: AWSPENDING on a version that is not AWSCURRENT means the last
        # rotation did not finish; RotateSecret refuses until it is cleared.
        raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
    fn = None
    if function_arn:
        fn = _function(self.account_id, self.region_name, function_arn)
        if fn is None or not _lambda_allows_secretsmanager(fn):
            # AWS checks that Secrets Manager may invoke the function before it stores anything.
            raise AccessDeniedException(
                "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
                "policy grants access to the principal secretsmanager.amazonaws.com."
            )
    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = function_arn or ""
    if rules is not None:
        secret.rotation_rules = rules
        secret.auto_rotate_after_days = rules.get("AutomaticallyAfterDays", 0)
    stored_rules = getattr(secret, "rotation_rules", None) or {}
    secret.next_rotation_date = next_rotation(stored_rules, secret.last_rotation_date or now())

    version_id = client_request_token or str(uuid.uuid4())
    secret.remove_version_stages_from_old_versions(["AWSPENDING"])
    version: dict[str, Any] = {"createdate": now(), "version_id": version_id, "version_stages": ["AWSPENDING"]}
    if not rotate_immediately:
        # AWS tests the configuration with testSecret on a pending copy of
        # the current value, then removes that version.
        current = _current(secret) or {}
        for key in ("secret_string", "secret_binary"):
            if key in current:
                version[key] = current[key]
    secret.versions[version_id] = version
    if fn is not None:
        steps = ROTATION_STEPS if rotate_immediately else ("testSecret",)
        thread = threading.Thread(
            target=_rotate, args=(secret, fn, version_id, steps, not rotate_immediately), daemon=True
        )
        thread.start()
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": version_id})


ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def _record_event(secret: sm.FakeSecret, name: str, message: str | None = None) -> None:
    # What AWS writes to CloudTrail as service events (RotationStarted, ...).
    ROTATION_EVENTS.append(
        {"eventName": name, "eventTime": time.time(), "SecretId": secret.arn, "errorMessage": message,
         "region": secret.region, "eventId": str(uuid.uuid4())}
    )


def lookup_events(body: dict[str, Any], region: str) -> dict[str, Any]:
    """CloudTrail LookupEvents over the rotation service events (moto has no
    LookupEvents): AWS records them with eventSource secretsmanager.amazonaws.com,
    eventType AwsServiceEvent, and the secret in additionalEventData.SecretId
    (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html)."""
    attributes = {a["AttributeKey"]: a["AttributeValue"] for a in body.get("LookupAttributes", [])}
    start, end = float(body.get("StartTime", 0)), float(body.get("EndTime", time.time() + 1))
    found = []
    with STATE:
        events = [e for e in ROTATION_EVENTS if e["region"] == region and start <= e["eventTime"] <= end]
    for event in reversed(events):  # newest first, as CloudTrail answers
        if attributes.get("EventName", event["eventName"]) != event["eventName"]:
            continue
        if attributes.get("EventSource", "secretsmanager.amazonaws.com") != "secretsmanager.amazonaws.com":
            continue
        record = {
            "eventVersion": "1.08", "eventSource": "secretsmanager.amazonaws.com", "eventName": event["eventName"],
            "awsRegion": region, "eventType": "AwsServiceEvent",
            "eventTime": datetime.fromtimestamp(event["eventTime"], tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "additionalEventData": {"SecretId": event["SecretId"]}, "eventID": event["eventId"],
        }
        if event["errorMessage"]:
            record["errorMessage"] = event["errorMessage"]
        found.append({
            "EventId": event["eventId"], "EventName": event["eventName"], "ReadOnly": "false",
            "EventTime": event["eventTime"], "EventSource": "secretsmanager.amazonaws.com",
            "CloudTrailEvent": json.dumps(record),
        })
    return {"Events": found[: int(body.get("MaxResults", 50))]}


def _rotate(secret: sm.FakeSecret, fn: Any, token: str, steps: tuple[str, ...], test_only: bool) -> None:
    # A rotation runs in its own thread: an emulator bug must show, and must
    # end the rotation as failed (as AWS records it), not leave it running.
    try:
        _rotate_steps(secret, fn, token, steps, test_only)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        _record_event(secret, "TestRotationFailed" if test_only else "RotationFailed", "emulator error")


def _rotate_steps(secret: sm.FakeSecret, fn: Any, token: str, steps: tuple[str, ...], test_only: bool) -> None:
    prefix = "TestRotation" if test_only else "Rotation"
    _record_event(secret, f"{prefix}Started")
    failed = None
    for step in steps:
        with STATE:
            cancelled = not secret.rotation_enabled
        if cancelled:
            # AWS: CancelRotateSecret stops a rotation in progress.
            _record_event(secret, "RotationAbandoned")
            return
        event = {"Step": step, "SecretId": secret.arn, "ClientRequestToken": token, "RotationToken": str(uuid.uuid4())}
        try:
            _, errored, _ = fn._invoke_lambda(event)
        except Exception as error:  # noqa: BLE001 - an emulator fault fails the step, as Lambda's would
            print(f"emulator: invoking {fn.function_arn} for {step} failed: {error!r}", file=sys.stderr)
            errored = True
        if errored:
            failed = f"Error when executing lambda {fn.function_arn} during {step} step"
            break
    with STATE:
        if test_only:
            secret.versions.pop(token, None)
        elif failed is None and "AWSCURRENT" in secret.versions.get(token, {}).get("version_stages", []):
            secret.last_rotation_date = now()
            rules = getattr(secret, "rotation_rules", None) or {}
            secret.next_rotation_date = next_rotation(rules, secret.last_rotation_date)
        elif failed is None:
            failed = f"Rotation of {secret.arn} did not move AWSCURRENT to version {token}"
    if failed:
        _record_event(secret, f"{prefix}Failed", failed)
    else:
        _record_event(secret, f"{prefix}Succeeded")


def cancel_rotate_secret(self: sm.SecretsManagerBackend, secret_id: str) -> str:
    # AWS: CancelRotateSecret answers with the version of the rotation it
    # interrupted (if any), and leaves its AWSPENDING label for the caller.
    secret = _secret(self, secret_id)
    if not secret.rotation_lambda_arn and not secret.rotation_requested:
        raise InvalidRequestException(
            "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN "
            "configured and you didn't include such an ARN as a parameter in this call."
        )
    secret.rotation_enabled = False
    body = {"ARN": secret.arn, "Name": secret.name}
    pending = _pending_elsewhere(secret)
    if pending:
        body["VersionId"] = pending
    return json.dumps(body)


_original_to_dict = sm.FakeSecret.to_dict


def secret_to_dict(self: sm.FakeSecret) -> dict[str, Any]:
    out = _original_to_dict(self)
    if self.rotation_requested:
        # AWS reports the rules as set, with ScheduleExpression and Duration.
        out["RotationRules"] = dict(getattr(self, "rotation_rules", None) or {}) or None
        if not self.rotation_lambda_arn:
            out.pop("RotationLambdaARN", None)
    # AWS: VersionIdsToStages lists "the versions of the secret that have
    # staging labels attached"; moto lists unlabelled (deprecated) ones too.
    for key in ("VersionIdsToStages", "SecretVersionsToStages"):
        if key in out:
            out[key] = {version: stages for version, stages in out[key].items() if stages}
    out["LastAccessedDate"] = getattr(self, "last_accessed_date", None)
    if getattr(self, "primary_region", None):
        out["PrimaryRegion"] = self.primary_region
    # AWS: "Secrets Manager only returns fields that have a value."
    return {key: value for key, value in out.items() if value is not None}


_original_get_secret_value = sm.SecretsManagerBackend.get_secret_value


def _day(timestamp: int) -> int:
    return timestamp - timestamp % 86400


def get_secret_value(self: sm.SecretsManagerBackend, secret_id: str, version_id: str, version_stage: str) -> dict:
    # AWS: with neither VersionId nor VersionStage, GetSecretValue reads AWSCURRENT (note 6).
    if not version_id and not version_stage:
        version_stage = "AWSCURRENT"
    out = _original_get_secret_value(self, secret_id, version_id, version_stage)
    # AWS keeps LastAccessedDate (to the day) for the secret and the version read.
    secret = self.secrets[secret_id]
    secret.last_accessed_date = _day(now())
    secret.versions[out["VersionId"]]["last_accessed"] = _day(now())
    return out


def put_secret_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages):
    # AWS: a new AWSCURRENT version moves AWSPREVIOUS to the version it replaced,
    # whichever version that is (moto follows its own default-version pointer).
    with STATE:
        secret = self.secrets[secret_id] if secret_id in self.secrets else None
        if secret is not None and isinstance(secret, sm.FakeSecret):
            current = next((vid for vid, v in secret.versions.items() if "AWSCURRENT" in v["version_stages"]), None)
            if current:
                secret.default_version_id = current
        return _original_put_secret_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages)


_original_put_secret_value = sm.SecretsManagerBackend.put_secret_value


def update_secret_version_stage(
    self: sm.SecretsManagerBackend,
    secret_id: str,
    version_stage: str,
    remove_from_version_id: str,
    move_to_version_id: str,
) -> tuple[str, str]:
    # AWS: a label already on another version can only be moved with
    # RemoveFromVersionId naming that version; moving AWSCURRENT moves
    # AWSPREVIOUS to the version it left, and reads follow AWSCURRENT.
    secret = _secret(self, secret_id)
    holder = next((vid for vid, v in secret.versions.items() if version_stage in v["version_stages"]), None)
    if remove_from_version_id:
        if remove_from_version_id not in secret.versions:
            raise InvalidParameterException(f"Not a valid version: {remove_from_version_id}")
        if version_stage not in secret.versions[remove_from_version_id]["version_stages"]:
            raise InvalidParameterException(
                f"The staging label {version_stage} is not attached to version {remove_from_version_id}."
            )
    if move_to_version_id:
        if move_to_version_id not in secret.versions:
            raise InvalidParameterException(f"Not a valid version: {move_to_version_id}")
        if holder and holder != move_to_version_id and holder != remove_from_version_id:
            raise InvalidParameterException(
                f"The parameter RemoveFromVersionId can't be empty. Staging label {version_stage} is currently "
                f"attached to version {holder}, so you must explicitly reference that version in RemoveFromVersionId."
            )
    elif version_stage == "AWSCURRENT":
        raise InvalidParameterException("You can't remove the staging label AWSCURRENT without moving it.")
    if remove_from_version_id and remove_from_version_id != move_to_version_id:
        secret.versions[remove_from_version_id]["version_stages"].remove(version_stage)
    if move_to_version_id and version_stage not in secret.versions[move_to_version_id]["version_stages"]:
        secret.versions[move_to_version_id]["version_stages"].append(version_stage)
    if version_stage == "AWSCURRENT" and move_to_version_id and remove_from_version_id != move_to_version_id:
        for version in secret.versions.values():
            if "AWSPREVIOUS" in version["version_stages"]:
                version["version_stages"].remove("AWSPREVIOUS")
        if remove_from_version_id:
            secret.versions[remove_from_version_id]["version_stages"].append("AWSPREVIOUS")
        secret.default_version_id = move_to_version_id
    return secret.arn, secret.name


def list_secret_version_ids_response(self: sm_responses.SecretsManagerResponse) -> str:
    # AWS: each version's own CreatedDate and LastAccessedDate (moto says "now"
    # for all), only labelled versions unless IncludeDeprecated, MaxResults
    # pages, and no NextToken on the last page (note 11).
    secret_id = self._get_param("SecretId", if_none="")
    include_deprecated = self._get_bool_param("IncludeDeprecated", False)
    max_results = int(self._get_param("MaxResults") or 100)
    start = int(self._get_param("NextToken") or 0)
    secret = _secret(self.backend, secret_id)
    versions = [
        {
            "VersionId": version_id,
            "VersionStages": list(version["version_stages"]),
            "CreatedDate": version["createdate"],
            **({"LastAccessedDate": version["last_accessed"]} if version.get("last_accessed") else {}),
        }
        for version_id, version in secret.versions.items()
        if include_deprecated or version["version_stages"]
    ]
    page = versions[start : start + max_results]
    body: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "Versions": page}
    if start + max_results < len(versions):
        body["NextToken"] = str(start + max_results)
    return json.dumps(body)


def list_secrets(self, filters, max_results=100, next_token=None, include_planned_deletion=False):
    # Same answer as moto, but pages before serialising: moto renders every
    # secret for every page, which makes a 10,000-secret listing quadratic.
    matching = [
        secret
        for secret in self.secrets.values()
        if (include_planned_deletion or not getattr(secret, "deleted_date", None)) and sm._matches(secret, filters)
    ]
    start = int(next_token or 0)
    end = start + int(max_results or 100)
    page = [secret.to_dict() for secret in matching[start:end]]
    return page, (str(end) if end < len(matching) else None)


sm.SecretsManagerBackend.rotate_secret = rotate_secret
sm.SecretsManagerBackend.cancel_rotate_secret = cancel_rotate_secret
sm.SecretsManagerBackend.get_secret_value = get_secret_value
sm.SecretsManagerBackend.put_secret_value = put_secret_value
sm.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage
sm.SecretsManagerBackend.list_secrets = list_secrets
sm.FakeSecret.to_dict = secret_to_dict
sm_responses.SecretsManagerResponse.list_secret_version_ids = list_secret_version_ids_response


# --------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------

CODE_DIRS: dict[str, str] = {}
CODE_ROOT = tempfile.mkdtemp(prefix="rotctl-emulator-code-")
RUNTIME = {"socket": os.path.join(CODE_ROOT, "runtime.sock")}


def _function(account_id: str, region: str, arn: str) -> Any:
    try:
        return lambda_models.lambda_backends[account_id][region].get_function(arn)
    except Exception:  # noqa: BLE001 - any lookup failure means "no such function"
        return None


CODE_LOCK = threading.Lock()


def _code_dir(fn: Any) -> str:
    # Rotations run in threads: two first invocations of the same code must
    # not extract it into one directory at once.
    digest = hashlib.sha256(fn.code_bytes).hexdigest()
    with CODE_LOCK:
        if digest not in CODE_DIRS:
            target = os.path.join(CODE_ROOT, digest)
            with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as archive:
                archive.extractall(target)
            CODE_DIRS[digest] = target
        return CODE_DIRS[digest]


def _connect_runtime(timeout: int) -> socket.socket:
    """A connection to the fork server; a full accept queue is waited out."""
    for attempt in range(50):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout + 1)
        try:
            connection.connect(RUNTIME["socket"])
            return connection
        except (BlockingIOError, ConnectionRefusedError, InterruptedError):
            connection.close()
            time.sleep(0.02 * (attempt + 1))
    raise ConnectionError("the Lambda runtime did not accept the invocation")


def invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    # AWS runs the function's code; moto runs nothing without Docker (note 1).
    # Python handlers run here, in a process forked from a warm runtime
    # (lambda_runtime.py), with the function's environment and the emulator
    # as their AWS endpoint.
    request_id = str(uuid.uuid4())
    if not str(self.run_time or "").startswith("python"):
        return json.dumps({"errorMessage": f"runtime {self.run_time} is not emulated"}), True, ""
    env = {
        "AWS_ENDPOINT_URL": ENDPOINT["url"],
        "AWS_ACCESS_KEY_ID": LAMBDA_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": "harness",
        "AWS_REGION": self.region,
        "AWS_DEFAULT_REGION": self.region,
        "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
        "_HANDLER": self.handler,
    }
    env.update(self.environment_vars or {})
    timeout = int(self.timeout or 3)
    request = {"code_dir": _code_dir(self), "handler": self.handler, "event": event or {}, "env": env,
               "request_id": request_id, "timeout": timeout}
    pid = None
    outcome, payload, log = "error", json.dumps({"errorMessage": f"Task timed out after {timeout:.2f} seconds"}), ""
    with _connect_runtime(timeout) as connection:
        stream = connection.makefile("rwb")
        try:
            stream.write(json.dumps(request).encode() + b"\n")
            stream.flush()
            pid = json.loads(stream.readline())["pid"]
            answer = json.loads(stream.readline() or b"null")
            if answer is None:
                payload = json.dumps({"errorMessage": "Runtime exited without an answer"})
            else:
                outcome, payload, log = answer["outcome"], answer["payload"], answer["log"]
        except (OSError, ValueError):  # socket.timeout is an OSError
            if pid:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
    # AWS Lambda writes each invocation's output to /aws/lambda/<function>.
    report = f"START RequestId: {request_id} Version: $LATEST\n{log}END RequestId: {request_id}\n"
    if outcome == "error":
        report += f"{payload}\n"
    with STATE:
        self.logs_backend.ensure_log_group(self.logs_group_name)
        self.save_logs(report)
    return payload, outcome == "error", log


lambda_models.LambdaFunction._invoke_lambda = invoke_lambda

class ResourceConflictException(LambdaClientError):
    code = 409

    def __init__(self, message: str):
        super().__init__("ResourceConflictException", message)


_original_add_statement = LambdaPolicy.add_statement


def add_statement(self: LambdaPolicy, raw: str, qualifier: str | None = None) -> tuple[Any, str]:
    # AWS: AddPermission with a statement id already in the policy is a
    # ResourceConflictException (note 10).
    sid = json.loads(raw).get("StatementId")
    if sid and any(statement.get("Sid") == sid for statement in self.statements):
        raise ResourceConflictException(
            f"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement."
        )
    return _original_add_statement(self, raw, qualifier)


LambdaPolicy.add_statement = add_statement


UPDATE_SETTLE_SECONDS = 0.5


def function_vpc_config(self: Any) -> dict[str, Any] | None:
    # AWS reports the VPC the function's subnets are in; moto says "vpc-123abc" (note 12).
    if not self._vpc_config or not self._vpc_config.get("SubnetIds"):
        return None
    config = dict(self._vpc_config)
    ec2 = ec2_models.ec2_backends[self.account_id][self.region]
    try:
        config["VpcId"] = ec2.get_subnet(config["SubnetIds"][0]).vpc_id
    except Exception:  # noqa: BLE001 - an unknown subnet: AWS would have refused it
        config["VpcId"] = ""
    return config


_original_update_configuration = lambda_models.LambdaFunction.update_configuration
_original_get_configuration = lambda_models.LambdaFunction.get_configuration


def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
    # AWS: UpdateFunctionConfiguration returns at once with LastUpdateStatus
    # InProgress, and Successful follows (a VPC change takes seconds to minutes).
    if "VpcConfig" in config_updates:
        ec2 = ec2_models.ec2_backends[self.account_id][self.region]
        for subnet_id in config_updates["VpcConfig"].get("SubnetIds", []):
            ec2.get_subnet(subnet_id)  # AWS validates the subnets
    result = _original_update_configuration(self, config_updates)
    self.update_settles_at = time.time() + UPDATE_SETTLE_SECONDS
    return result


def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
    config = _original_get_configuration(self, on_create)
    if not on_create and time.time() < getattr(self, "update_settles_at", 0):
        config["LastUpdateStatus"] = "InProgress"
    return config


lambda_models.LambdaFunction.vpc_config = property(function_vpc_config)
lambda_models.LambdaFunction.update_configuration = update_configuration
lambda_models.LambdaFunction.get_configuration = get_configuration


# --------------------------------------------------------------------------
# EC2
# --------------------------------------------------------------------------

_original_create_vpc_endpoint = ec2_vpcs.VPCBackend.create_vpc_endpoint


def create_vpc_endpoint(self: Any, vpc_id: str, service_name: str, *args: Any, **kwargs: Any) -> Any:
    # AWS: an interface endpoint with private DNS claims the service's DNS name
    # in the VPC, so a second one is refused (moto accepts it, note 12); the
    # same ClientToken returns the endpoint already made.
    token = kwargs.get("client_token")
    for endpoint in self.vpc_end_points.values():
        if token and getattr(endpoint, "client_token", None) == token:
            return endpoint
        if (
            kwargs.get("private_dns_enabled")
            and endpoint.vpc_id == vpc_id
            and endpoint.service_name == service_name
            and getattr(endpoint, "private_dns_enabled", False)
            and endpoint.state != "deleted"
        ):
            raise ec2_exceptions.InvalidParameterValueError(
                f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
                f"{service_name.split('.', 3)[-1]}.{service_name.split('.')[2]}.amazonaws.com in the VPC {vpc_id}"
            )
    return _original_create_vpc_endpoint(self, vpc_id, service_name, *args, **kwargs)


ec2_vpcs.VPCBackend.create_vpc_endpoint = create_vpc_endpoint


# --------------------------------------------------------------------------
# CloudFormation
# --------------------------------------------------------------------------

_original_execute_change_set = cfn_models.CloudFormationBackend.execute_change_set


def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    # AWS: a stack created or updated from a change set has its template's
    # Outputs; moto keeps the outputs of the empty template (note 8).
    _original_execute_change_set(self, change_set_name, stack_name)
    change_set = self.describe_change_set(change_set_name)
    stack = self.stacks[change_set.stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()


cfn_models.CloudFormationBackend.execute_change_set = execute_change_set

_original_create_change_set = cfn_models.CloudFormationBackend.create_change_set


def create_change_set(
    self: Any, stack_name: str, change_set_name: str, template: str, parameters: dict[str, str], description: str,
    change_set_type: str, **kwargs: Any,
) -> tuple[str, str]:
    # AWS: change set names are unique per stack (AlreadyExistsException), and a
    # CREATE change set for a stack still in REVIEW_IN_PROGRESS reuses that
    # stack; moto makes a second stack of the same name.
    existing = next((st for st in self.stacks.values() if st.name == stack_name and st.status != "DELETE_COMPLETE"), None)
    if existing is not None:
        for change_set in self.change_sets.values():
            if change_set.stack_id == existing.stack_id and change_set.change_set_name == change_set_name:
                raise CfnAlreadyExists(f"ChangeSet {change_set_name} already exists")
    if existing is not None and change_set_type == "CREATE":
        if existing.status != "REVIEW_IN_PROGRESS":
            raise CfnValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again")
        change_set_id = cfn_models.generate_changeset_id(change_set_name, self.region_name, self.account_id)
        change_set = cfn_models.ChangeSet(
            change_set_type="CREATE", change_set_id=change_set_id, change_set_name=change_set_name, stack=existing,
            template=template, parameters=parameters, description=description,
        )
        change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        self.change_sets[change_set_id] = change_set
        return change_set_id, existing.stack_id
    return _original_create_change_set(
        self, stack_name, change_set_name, template=template, parameters=parameters, description=description,
        change_set_type=change_set_type, **kwargs,
    )


cfn_models.CloudFormationBackend.create_change_set = create_change_set


# --------------------------------------------------------------------------
# The harness: call log, fault injection, control endpoints
# --------------------------------------------------------------------------

CREDENTIAL = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/aws4_request")
LAMBDA_ROUTES = [
    ("POST", r"/functions/?$", "CreateFunction"),
    ("GET", r"/functions/?$", "ListFunctions"),
    ("GET", r"/functions/[^/]+/?$", "GetFunction"),
    ("DELETE", r"/functions/[^/]+/?$", "DeleteFunction"),
    ("GET", r"/functions/[^/]+/configuration/?$", "GetFunctionConfiguration"),
    ("PUT", r"/functions/[^/]+/configuration/?$", "UpdateFunctionConfiguration"),
    ("PUT", r"/functions/[^/]+/code/?$", "UpdateFunctionCode"),
    ("GET", r"/functions/[^/]+/policy/?$", "GetPolicy"),
    ("POST", r"/functions/[^/]+/policy/?$", "AddPermission"),
    ("DELETE", r"/functions/[^/]+/policy/[^/]+/?$", "RemovePermission"),
    ("POST", r"/functions/[^/]+/invocations/?$", "Invoke"),
]
JSON_SERVICES = {"secretsmanager", "logs", "cloudtrail", "kms"}
QUERY_XMLNS = {
    "cloudformation": "http://cloudformation.amazonaws.com/doc/2010-05-15/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
}


def operation_of(service: str, environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    if service == "lambda":
        path = re.sub(r"^/[0-9-]+", "", environ.get("PATH_INFO", ""))
        for method, pattern, name in LAMBDA_ROUTES:
            if environ.get("REQUEST_METHOD") == method and re.search(pattern, path):
                return name
        return f"{environ.get('REQUEST_METHOD')} {path}"
    params = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" not in params and body:
        params = parse_qs(body.decode("utf-8", "replace"))
    return params.get("Action", ["?"])[0]


class Fault:
    def __init__(self, spec: dict[str, Any]):
        self.service = spec.get("Service")
        self.operation = spec.get("Operation")
        self.region = spec.get("Region")
        self.remaining = spec.get("Count", 1 if spec.get("Rate") is None else None)
        self.status = int(spec.get("Status", 500))
        self.code = spec.get("Code", "InternalFailure")
        self.message = spec.get("Message", "injected by the rotctl test harness")
        self.drop = bool(spec.get("Drop", False))
        self.after = bool(spec.get("After", False))
        # Hold: keep the request this many seconds, or until the client hangs
        # up (then it is dropped unprocessed, as a request that never reached AWS).
        self.hold = spec.get("Hold")
        # HoldAnswer: apply the request, then keep its answer this many seconds
        # or until the client hangs up: a client killed after AWS acted.
        self.hold_answer = spec.get("HoldAnswer")
        self.rate = spec.get("Rate")
        self.random = random.Random(spec.get("Seed", 0))
        # Skip: let this many matching calls through first (e.g. hold the
        # DescribeStacks of a stack wait, not the one before the change set).
        self.skip = int(spec.get("Skip", 0))

    def matches(self, service: str, operation: str, region: str) -> bool:
        if self.remaining == 0:
            return False
        if self.service not in (None, service) or self.operation not in (None, operation):
            return False
        if self.region not in (None, region):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.rate is not None and self.random.random() >= float(self.rate):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def response(self, service: str) -> tuple[str, list[tuple[str, str]], bytes]:
        request_id = str(uuid.uuid4())
        status = f"{self.status} Injected"
        if service in JSON_SERVICES:
            body = json.dumps({"__type": self.code, "message": self.message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", self.code)]
        elif service == "lambda":
            body = json.dumps({"Type": "User", "message": self.message}).encode()
            headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", self.code)]
        elif service == "ec2":
            body = (
                f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{self.code}</Code>"
                f"<Message>{self.message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
            ).encode()
            headers = [("Content-Type", "text/xml")]
        else:
            xmlns = QUERY_XMLNS.get(service, "")
            body = (
                f"<ErrorResponse xmlns=\"{xmlns}\"><Error><Type>Sender</Type><Code>{self.code}</Code>"
                f"<Message>{self.message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml")]
        headers += [("x-amzn-RequestId", request_id), ("Content-Length", str(len(body)))]
        return status, headers, body


class HarnessApp:
    def __init__(self, moto_app: Any):
        self.moto_app = moto_app
        self.calls: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/_harness/"):
            return self.control(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        key, region, service = match.groups() if match else ("anonymous", "us-east-1", "unknown")
        operation = operation_of(service, environ, body)
        with self.lock:
            fault = next((f for f in self.faults.get(key, []) if f.matches(service, operation, region)), None)
        call = {"Service": service, "Operation": operation, "Region": region, "Time": time.time()}
        if fault is not None and fault.hold_answer is not None:
            fault, held_answer = None, fault
        else:
            held_answer = None
        if fault is not None and fault.hold is not None:
            if self.hold(key, dict(call, Status=0, Fault="held"), fault.hold, environ):
                fault = None
            else:
                raise ConnectionAbortedError("the client hung up while the harness held its request")
        if fault is not None and not fault.after:
            return self.fail(key, call, fault, service, environ, start_response)
        if service == "cloudtrail" and operation == "LookupEvents":
            answer = json.dumps(lookup_events(json.loads(body or b"{}"), region)).encode()
            call["Status"] = 200
            with self.lock:
                self.calls[key].append(call)
            start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(answer)))])
            return [answer]
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        # A direct Invoke runs the function, which calls back into this server:
        # it must not hold the state lock while it waits.
        guard = STATE if not (service == "lambda" and operation == "Invoke") else threading.Lock()
        with guard:
            result = self.moto_app(environ, capture)
            try:
                payload = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        if fault is not None:
            return self.fail(key, call, fault, service, environ, start_response)
        call["Status"] = int(captured["status"].split()[0])
        if held_answer is not None:
            if not self.hold(key, dict(call, Fault="held"), held_answer.hold_answer, environ):
                raise ConnectionAbortedError("the client hung up while the harness held the answer")
        else:
            with self.lock:
                self.calls[key].append(call)
        start_response(captured["status"], captured["headers"])
        return [payload]

    def hold(self, key: str, call: dict[str, Any], seconds: float, environ: dict) -> bool:
        """True when the hold ran out (go on), False when the client left."""
        with self.lock:
            self.calls[key].append(call)
        connection = environ.get("werkzeug.socket")
        deadline = time.time() + float(seconds)
        while time.time() < deadline:
            try:
                if connection is not None and connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    return False
            except BlockingIOError:
                pass
            except OSError:
                return False
            time.sleep(0.02)
        return True

    def fail(self, key: str, call: dict[str, Any], fault: Fault, service: str, environ: dict, start_response: Any) -> Any:
        call["Status"] = 0 if fault.drop else fault.status
        call["Fault"] = fault.code if not fault.drop else "dropped"
        with self.lock:
            self.calls[key].append(call)
        if fault.drop:
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            raise ConnectionAbortedError("connection dropped by the rotctl test harness")
        status, headers, body = fault.response(service)
        start_response(status, headers)
        return [body]

    def control(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
        status, answer = "200 OK", {}
        try:
            if path == "/_harness/health":
                answer = {"Ready": True}
            elif path == "/_harness/calls" and method == "GET":
                with self.lock:
                    answer = {"Calls": list(self.calls.get(query.get("key", ""), []))}
            elif path == "/_harness/faults" and method == "POST":
                with self.lock:
                    self.faults[body["Key"]].append(Fault(body))
            elif path == "/_harness/faults" and method == "DELETE":
                with self.lock:
                    self.faults.pop(query.get("key", ""), None)
            elif path == "/_harness/secret-dates" and method == "POST":
                with STATE:
                    set_dates(body)
            elif path == "/_harness/managed-secret" and method == "POST":
                # AWS creates these only through the owning service (e.g. RDS
                # ManageMasterUserPassword); moto has the same backend call.
                with STATE:
                    backend = sm.secretsmanager_backends[body.get("Account", ACCOUNT_ID)][body["Region"]]
                    secret = backend.create_managed_secret(body["Service"], body["Name"], secret_string="{}")
                    answer = {"ARN": secret.arn}
            elif path == "/_harness/rotation-events" and method == "GET":
                with STATE:
                    answer = {"Events": [e for e in ROTATION_EVENTS if e["SecretId"] == query.get("secret")]}
            else:
                status, answer = "404 Not Found", {"Error": f"no harness endpoint {method} {path}"}
        except (KeyError, ValueError) as error:
            status, answer = "400 Bad Request", {"Error": f"{type(error).__name__}: {error}"}
        data = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def set_dates(spec: dict[str, Any]) -> None:
    """Dates AWS sets with time and moto cannot be made to (note 15)."""
    backend = sm.secretsmanager_backends[spec.get("Account", ACCOUNT_ID)][spec["Region"]]
    secret = backend.secrets[spec["SecretId"]]
    fields = {
        "CreatedDate": "created_date",
        "LastChangedDate": "last_changed_date",
        "LastAccessedDate": "last_accessed_date",
        "LastRotatedDate": "last_rotation_date",
        "NextRotationDate": "next_rotation_date",
    }
    for field, attribute in fields.items():
        if field in spec:
            setattr(secret, attribute, spec[field])
    for version_id, created in spec.get("VersionCreatedDates", {}).items():
        secret.versions[version_id]["createdate"] = created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="write the server's request log here")
    args = parser.parse_args()

    logging.basicConfig(
        filename=args.log, level=logging.INFO if args.log else logging.ERROR, format="%(asctime)s %(message)s"
    )
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.log else logging.ERROR)
    # The rotation functions' runtime: a fork server that imported boto3 once.
    runtime_env = dict(os.environ, AWS_ACCESS_KEY_ID=LAMBDA_ACCESS_KEY, AWS_SECRET_ACCESS_KEY="harness")
    runtime = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "lambda_runtime.py"), RUNTIME["socket"]],
        stdout=subprocess.PIPE, env=runtime_env, text=True,
    )
    runtime.stdout.readline()  # READY

    app = HarnessApp(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)
    ENDPOINT["url"] = f"http://127.0.0.1:{server.server_port}"
    os.environ["AWS_ENDPOINT_URL"] = ENDPOINT["url"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    # Exit with the process that started us: its end closes our stdin.
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
