"""Seeds the demo's sample fleet in the emulator (AWS_ENDPOINT_URL), with
boto3 over the real AWS protocols: a rotation function (the tests' fixture)
and secrets in each state rotctl tells apart. Prints nothing secret."""

import json
import os
import sys
import time
import urllib.request

import boto3

from seed import rotation_function

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
sm = boto3.client("secretsmanager")


def harness(path, body):
    request = urllib.request.Request(ENDPOINT + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request).read()


def secret(name):
    value = {"engine": "postgres", "host": f"{name.split('/')[-1]}.internal", "username": "app", "password": "demo-only"}
    return sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]


def rotate(arn, function_arn, rules, wait_for="RotationSucceeded"):
    version = sm.rotate_secret(SecretId=arn, RotationLambdaARN=function_arn, RotationRules=rules)["VersionId"]
    for _ in range(400):
        events = json.loads(urllib.request.urlopen(f"{ENDPOINT}/_harness/rotation-events?secret={arn}").read())
        if any(e["eventName"] == wait_for for e in events["Events"]):
            return version
        time.sleep(0.05)
    sys.exit(f"demo: {arn} never reached {wait_for}")


good = rotation_function("demo-rotation")
broken = rotation_function("demo-rotation-broken", {"FAIL_AT_STEP": "setSecret"})
now = int(time.time())

orders = secret("demo/orders-db")
rotate(orders, good, {"ScheduleExpression": "rate(30 days)", "Duration": "4h"})

secret("demo/payments-api-key")

legacy = secret("demo/legacy-db")
pending = rotate(legacy, broken, {"AutomaticallyAfterDays": 30}, wait_for="RotationFailed")
harness("/_harness/secret-dates", {"Region": "us-east-1", "SecretId": legacy, "VersionCreatedDates": {pending: now - 3 * 3600}})

reports = secret("demo/reports-db")
rotate(reports, good, {"AutomaticallyAfterDays": 7})
harness("/_harness/secret-dates", {"Region": "us-east-1", "SecretId": reports,
                                   "LastRotatedDate": now - 9 * 86400, "NextRotationDate": now - 2 * 86400})

retired = secret("demo/retired-service")
rotate(retired, good, {"AutomaticallyAfterDays": 90})
sm.cancel_rotate_secret(SecretId=retired)

