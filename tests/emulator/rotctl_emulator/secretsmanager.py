"""Secrets Manager: rotation as AWS runs it, and the reads rotctl relies on.

moto 5.2.5 gets rotation wrong in ways rotctl depends on (docs/emulator.md
lists them): RotateSecret runs no function and runs synchronously, inverts the
"rotation in progress" check, drops ScheduleExpression and Duration and
accepts invalid rules, forgets the stored function, skips the invoke-permission
check, and leaves the test version of RotateImmediately=false behind;
CancelRotateSecret answers with the wrong version; GetSecretValue without a
stage and UpdateSecretVersionStage do not follow AWSCURRENT; ListSecretVersionIds
dates every version "now" and does not page; LastAccessedDate is never set;
ListSecrets renders every secret for every page. The patches below restore
AWS's behaviour, each with a comment naming it. apply() installs them.

The rotation steps run the function through awslambda.py and record their
progress as CloudTrail service events through cloudtrail.py.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import traceback
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.secretsmanager import models as sm
from moto.secretsmanager import responses as sm_responses
from moto.secretsmanager.exceptions import (
    InvalidParameterException,
    InvalidRequestException,
    SecretNotFoundException,
    SecretsManagerClientError,
)

from .awslambda import find_function
from .cloudtrail import record_event
from .common import STATE

STUCK_AFTER_SECONDS = 15 * 60


def now() -> int:
    return int(time.time())


def stamp() -> float:
    """A version's CreatedDate: AWS dates versions to the millisecond (moto to the second,
    so two versions made within one second could not be put in order; note 23)."""
    return round(time.time(), 3)


def add_secret(self: sm.SecretsManagerBackend, secret_id: str, *args: Any, **kwargs: Any) -> Any:
    # Every version CreateSecret, PutSecretValue and UpdateSecret make, dated to
    # the millisecond; a version that already existed (RotateSecret's AWSPENDING,
    # whose value createSecret puts) keeps its date, where moto re-dates it.
    with STATE:
        secret = self.secrets.get(secret_id) if secret_id in self.secrets else None
        before = {vid: v["createdate"] for vid, v in secret.versions.items()} if secret is not None else {}
        secret, new = _original_add_secret(self, secret_id, *args, **kwargs)
        for version_id, version in secret.versions.items():
            version["createdate"] = before[version_id] if version_id in before else stamp()
        return secret, new


_original_add_secret = sm.SecretsManagerBackend._add_secret


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
        fn = find_function(self.account_id, self.region_name, function_arn)
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
    version: dict[str, Any] = {"createdate": stamp(), "version_id": version_id, "version_stages": ["AWSPENDING"]}
    if not rotate_immediately:
        # AWS tests the configuration with testSecret on a pending copy of
        # the current value, then removes that version.
        current = _current(secret) or {}
        for key in ("secret_string", "secret_binary"):
            if key in current:
                version[key] = current[key]
    if fn is not None or rotate_immediately:
        # AWS: with no function and RotateImmediately=false (a managed
        # secret's new schedule) there is nothing to test: no version is made.
        secret.versions[version_id] = version
    if fn is None and secret.owning_service in ("rds", "docdb", "redshift") and rotate_immediately:
        # AWS: the owning service rotates a managed secret itself (rds.py, row 21).
        from .rds import owner_rotation  # noqa: PLC0415 - the two modules use each other

        owner_rotation(secret, version_id)
    if fn is not None:
        steps = ROTATION_STEPS if rotate_immediately else ("testSecret",)
        thread = threading.Thread(
            target=_rotate, args=(secret, fn, version_id, steps, not rotate_immediately), daemon=True
        )
        thread.start()
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": version_id})



ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def _rotate(secret: sm.FakeSecret, fn: Any, token: str, steps: tuple[str, ...], test_only: bool) -> None:
    # A rotation runs in its own thread: an emulator bug must show, and must
    # end the rotation as failed (as AWS records it), not leave it running.
    try:
        _rotate_steps(secret, fn, token, steps, test_only)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        record_event(secret, "TestRotationFailed" if test_only else "RotationFailed", "emulator error")


def _rotate_steps(secret: sm.FakeSecret, fn: Any, token: str, steps: tuple[str, ...], test_only: bool) -> None:
    prefix = "TestRotation" if test_only else "Rotation"
    record_event(secret, f"{prefix}Started")
    failed = None
    for step in steps:
        with STATE:
            cancelled = not secret.rotation_enabled
        if cancelled:
            # AWS: CancelRotateSecret stops a rotation in progress.
            record_event(secret, "RotationAbandoned")
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
        record_event(secret, f"{prefix}Failed", failed)
    else:
        record_event(secret, f"{prefix}Succeeded")


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


def apply() -> None:
    """Installs the Secrets Manager corrections into moto."""
    sm.SecretsManagerBackend.rotate_secret = rotate_secret
    sm.SecretsManagerBackend.cancel_rotate_secret = cancel_rotate_secret
    sm.SecretsManagerBackend.get_secret_value = get_secret_value
    sm.SecretsManagerBackend.put_secret_value = put_secret_value
    sm.SecretsManagerBackend._add_secret = add_secret
    sm.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage
    sm.SecretsManagerBackend.list_secrets = list_secrets
    sm.FakeSecret.to_dict = secret_to_dict
    sm_responses.SecretsManagerResponse.list_secret_version_ids = list_secret_version_ids_response
