"""CloudTrail: the rotation service events.

AWS records every rotation's progress in CloudTrail as service events
(RotationStarted, RotationSucceeded, RotationFailed with the failed step,
RotationAbandoned, and the TestRotation* events); moto records none and has no
LookupEvents. The rotations (secretsmanager.py) record them here; the harness
answers CloudTrail LookupEvents from them, and serves them raw at
GET /_harness/rotation-events. Nothing in moto is patched, so there is no apply().
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
