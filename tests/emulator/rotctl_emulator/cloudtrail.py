"""CloudTrail: the rotation service events, and the secret changes made through the API.

AWS records every rotation's progress in CloudTrail as service events
(RotationStarted, RotationSucceeded, RotationFailed with the failed step,
RotationAbandoned, and the TestRotation* events); moto records none and has no
LookupEvents. The rotations (secretsmanager.py) record them here; the harness
answers CloudTrail LookupEvents from them, and serves them raw at
GET /_harness/rotation-events. Nothing in moto is patched, so there is no apply().

AWS also records every mutating Secrets Manager call as a management event
(eventType AwsApiCall) with the caller, requestParameters (the secret's value
left out, as AWS leaves it out) and responseElements. The harness records those
for the calls rotctl's history reads (record_api_call): PutSecretValue,
UpdateSecretVersionStage, RotateSecret, CancelRotateSecret, UpdateSecret and
CreateSecret, whoever makes them (a rotation function included).
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from moto.secretsmanager import models as sm

from .common import STATE

ROTATION_EVENTS: list[dict[str, Any]] = []


def record_event(secret: sm.FakeSecret, name: str, message: str | None = None) -> None:
    # What AWS writes to CloudTrail as service events (RotationStarted, ...).
    ROTATION_EVENTS.append(
        {"eventName": name, "eventTime": time.time(), "SecretId": secret.arn, "errorMessage": message,
         "region": secret.region, "eventId": str(uuid.uuid4())}
    )


# The calls recorded as management events, and the response fields kept.
API_CALLS = {"PutSecretValue", "UpdateSecretVersionStage", "RotateSecret", "CancelRotateSecret", "UpdateSecret",
             "CreateSecret"}
RESPONSE_FIELDS = ("ARN", "Name", "VersionId", "VersionStages")
# Never recorded: AWS writes "HIDDEN_DUE_TO_SECURITY_REASONS" in their place.
HIDDEN = ("SecretString", "SecretBinary")


def _camel(key: str) -> str:
    return "arn" if key == "ARN" else key[:1].lower() + key[1:]


def record_api_call(operation: str, region: str, account: str, access_key: str, body: bytes, answer: bytes) -> None:
    """A successful Secrets Manager call, as CloudTrail records it (AwsApiCall)."""
    if operation not in API_CALLS:
        return
    try:
        request, response = json.loads(body or b"{}"), json.loads(answer or b"{}")
    except ValueError:
        return
    parameters = {_camel(k): ("HIDDEN_DUE_TO_SECURITY_REASONS" if k in HIDDEN else v) for k, v in request.items()}
    elements = {_camel(k): response[k] for k in RESPONSE_FIELDS if k in response}
    with STATE:
        ROTATION_EVENTS.append({
            "eventName": operation, "eventTime": time.time(), "SecretId": None, "errorMessage": None,
            "region": region, "eventId": str(uuid.uuid4()), "eventType": "AwsApiCall",
            "userIdentity": {"type": "IAMUser", "accountId": account, "accessKeyId": access_key,
                             "arn": f"arn:aws:iam::{account}:user/{access_key}"},
            "requestParameters": parameters, "responseElements": elements,
        })


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
            "awsRegion": region, "eventType": event.get("eventType", "AwsServiceEvent"),
            "eventTime": datetime.fromtimestamp(event["eventTime"], tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventID": event["eventId"],
        }
        if event["SecretId"]:
            record["additionalEventData"] = {"SecretId": event["SecretId"]}
        for field in ("userIdentity", "requestParameters", "responseElements"):
            if field in event:
                record[field] = event[field]
        if event["errorMessage"]:
            record["errorMessage"] = event["errorMessage"]
        found.append({
            "EventId": event["eventId"], "EventName": event["eventName"], "ReadOnly": "false",
            "EventTime": event["eventTime"], "EventSource": "secretsmanager.amazonaws.com",
            "CloudTrailEvent": json.dumps(record),
        })
    return {"Events": found[: int(body.get("MaxResults", 50))]}
