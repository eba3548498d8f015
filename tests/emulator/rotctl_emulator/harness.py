"""The test harness: what AWS offers and moto lacks for testing.

A WSGI application in front of moto's that keeps a call log per access key
(each test's rotctl runs with its own key, so tests running in parallel see
only their own calls), injects faults in each service's own protocol (errors,
dropped connections, held requests and answers), answers CloudTrail
LookupEvents from the rotation service events (cloudtrail.py), and serves the
control endpoints under /_harness/ (see HarnessApp.control): the call log,
faults (see Fault), secret-dates (the dates only time could otherwise change),
managed-secret, owner-status, latency, access-key, role, rotation-events, the rotation functions' zips (function-zip)
and real PostgreSQL clusters (postgres, see postgres_control). It patches nothing in moto; server.py
wraps moto's application in HarnessApp.
"""

from __future__ import annotations

import io
import json
import random
import re
import socket
import threading
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs

from moto.iam.models import get_account_id_from, iam_backends
from moto.secretsmanager import models as sm

from . import postgres, rds
from .cloudtrail import ROTATION_EVENTS, lookup_events, record_api_call
from .common import STATE
from .functions import rotation_function_zip
from .iam import simulate_principal_policy
from .kms import refusal as kms_refusal

ACCOUNT_ID = "123456789012"

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


def create_role(body: dict[str, Any]) -> str:
    """{"Account", "RoleName", "TrustedAccount", "ExternalId"?}: a role the
    trusted account may assume (with that external id, when given)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{body['TrustedAccount']}:root"},
        "Action": "sts:AssumeRole",
    }
    if body.get("ExternalId"):
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": body["ExternalId"]}}
    iam = iam_backends[body["Account"]]["aws"]
    role = iam.create_role(
        role_name=body["RoleName"],
        assume_role_policy_document=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        path="/", permissions_boundary=None, description="", tags=[], max_session_duration=None,
    )
    return role.arn


class HarnessApp:
    def __init__(self, moto_app: Any):
        self.moto_app = moto_app
        self.calls: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.lock = threading.Lock()
        # Credentials from AssumeRole → the access key that assumed the role:
        # a run's calls in other accounts are still that run's (its call log
        # and its faults follow it there).
        self.aliases: dict[str, str] = {}
        # Seconds added before every AWS answer (POST /_harness/latency): AWS's
        # round trip, for measurements. Not under the state lock: calls overlap.
        self.latency = 0.0
        # Seconds spent answering AWS calls, which the emulator serves one at
        # a time (GET /_harness/busy): the floor of any run's time here.
        self.busy = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/_harness/"):
            return self.control(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        signing_key, region, service = match.groups() if match else ("anonymous", "us-east-1", "unknown")
        operation = operation_of(service, environ, body)
        with self.lock:
            key = self.aliases.get(signing_key, signing_key)
            fault = next((f for f in self.faults.get(key, []) if f.matches(service, operation, region)), None)
            latency = self.latency
        call = {"Service": service, "Operation": operation, "Region": region, "Time": time.time(),
                "Account": get_account_id_from(signing_key)}
        if latency:
            time.sleep(latency)
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
        refused = kms_refusal(operation, body, region, call["Account"], environ.get("HTTP_X_AMZ_SECURITY_TOKEN", "")) \
            if service == "secretsmanager" else None
        if refused is not None:
            # A rotation function's call its role may not make with the secret's KMS key (kms.py).
            answer = json.dumps({"__type": "AccessDeniedException", "Message": refused}).encode()
            call["Status"] = 400
            with self.lock:
                self.calls[key].append(call)
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                               ("Content-Length", str(len(answer)))])
            return [answer]
        if service == "iam" and operation == "SimulatePrincipalPolicy":
            status, answer = simulate_principal_policy(body, call["Account"])
            call["Status"] = status
            with self.lock:
                self.calls[key].append(call)
            start_response(f"{status} {'OK' if status == 200 else 'Not Found'}",
                           [("Content-Type", "text/xml"), ("Content-Length", str(len(answer)))])
            return [answer]
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
            started = time.perf_counter()
            result = self.moto_app(environ, capture)
            try:
                payload = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            self.busy += time.perf_counter() - started
        if fault is not None:
            return self.fail(key, call, fault, service, environ, start_response)
        call["Status"] = int(captured["status"].split()[0])
        if service == "sts" and operation == "AssumeRole" and call["Status"] == 200:
            assumed = re.search(rb"<AccessKeyId>([^<]+)</AccessKeyId>", payload)
            if assumed:
                with self.lock:
                    self.aliases[assumed.group(1).decode()] = key
        if service == "secretsmanager" and call["Status"] == 200:
            record_api_call(operation, region, call["Account"], signing_key, body, payload)
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
        if path == "/_harness/function-zip" and method == "GET":
            return self.function_zip(query, start_response)
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
            elif path == "/_harness/busy" and method == "GET":
                # And the CPU time of the whole emulator process (every thread, one GIL).
                answer = {"Seconds": self.busy, "ProcessSeconds": time.process_time()}
            elif path == "/_harness/latency" and method == "POST":
                with self.lock:
                    self.latency = float(body["Seconds"])
            elif path == "/_harness/access-key" and method == "POST":
                # An identity in another account (AWS: a user or SSO session there).
                with STATE:
                    iam = iam_backends[body["Account"]]["aws"]
                    user = body.get("UserName") or f"harness-{uuid.uuid4().hex[:8]}"
                    if user not in iam.users:
                        iam.create_user(region_name="us-east-1", user_name=user)
                    created = iam.create_access_key(user)
                    answer = {"AccessKeyId": created.access_key_id, "SecretAccessKey": created.secret_access_key}
            elif path == "/_harness/role" and method == "POST":
                # A role another account may assume (AWS: what a StackSet or
                # Organizations' account creation puts in each account).
                with STATE:
                    answer = {"Arn": create_role(body)}
            elif path == "/_harness/owner-status" and method == "POST":
                # AWS: an owner (RDS) reports `impaired` when it lost access to
                # its secret or the secret's KMS key; nothing in moto can cause that.
                with STATE:
                    secret = rds.find_secret(body.get("Account", ACCOUNT_ID), body["Region"], body["SecretId"])
                    rds.set_owner_status(secret, body["Status"])
            elif path == "/_harness/rotation-events" and method == "GET":
                with STATE:
                    answer = {"Events": [e for e in ROTATION_EVENTS if e["SecretId"] == query.get("secret")]}
            elif path.startswith("/_harness/postgres") and method == "POST":
                answer = postgres_control(path, body)
            else:
                status, answer = "404 Not Found", {"Error": f"no harness endpoint {method} {path}"}
        except (KeyError, ValueError) as error:
            status, answer = "400 Bad Request", {"Error": f"{type(error).__name__}: {error}"}
        except postgres.ClusterError as error:
            status, answer = "500 Internal Server Error", {"Error": str(error)}
        data = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


    def function_zip(self, query: dict[str, str], start_response: Any) -> Any:
        """GET /_harness/function-zip?engine=postgres&strategy=single: a rotation function's zip."""
        try:
            data = rotation_function_zip(query.get("engine", ""), query.get("strategy", "single"))
            headers = [("Content-Type", "application/zip")]
            status = "200 OK"
        except (ValueError, OSError) as error:
            data = json.dumps({"Error": f"{type(error).__name__}: {error}"}).encode()
            headers = [("Content-Type", "application/json")]
            status = "400 Bad Request"
        start_response(status, headers + [("Content-Length", str(len(data)))])
        return [data]


def postgres_control(path: str, body: dict[str, Any]) -> dict[str, Any]:
    """The /_harness/postgres endpoints: real PostgreSQL clusters, their roles, and logins.

    The answers never hold a password: a role's or a login's comes from the
    secret, read here in-process, and the superuser's stays in postgres.py.
    """
    if path == "/_harness/postgres":
        return postgres.ensure_cluster(body["Cluster"]).describe()
    if path == "/_harness/postgres/stop":
        return postgres.stop_cluster(body["Cluster"]).describe()
    if path == "/_harness/postgres/start":
        return postgres.start_cluster(body["Cluster"]).describe()
    if path == "/_harness/postgres/role":
        value = secret_json(body, "AWSCURRENT")
        cluster = postgres.get_cluster(body["Cluster"])
        postgres.put_role(cluster, value["username"], value["password"],
                          superuser=bool(body.get("Superuser", False)), create_role=bool(body.get("CreateRole", False)))
        return {"User": value["username"]}
    if path == "/_harness/postgres/login":
        value = secret_json(body, body.get("VersionStage", "AWSCURRENT") if "VersionId" not in body else body.get("VersionStage"))
        logged_in, error = postgres.try_login(
            value["host"], int(value.get("port", 5432)), value.get("dbname") or "postgres", value["username"], value["password"]
        )
        answer = {"LoggedIn": logged_in, "User": value["username"]}
        if error is not None:
            answer["Error"] = error
        return answer
    raise KeyError(f"no harness endpoint POST {path}")


def secret_json(spec: dict[str, Any], stage: str | None) -> dict[str, Any]:
    """The JSON value of a secret's version (by VersionId and/or stage), read from moto in-process.

    Reading here, not through GetSecretValue, leaves LastAccessedDate as the
    test set it.
    """
    region = spec.get("Region") or "us-east-1"
    with STATE:
        backend = sm.secretsmanager_backends[spec.get("Account", ACCOUNT_ID)][region]
        if spec["SecretId"] not in backend.secrets:
            raise KeyError(f"no secret {spec['SecretId']} in {region}")
        secret = backend.secrets[spec["SecretId"]]
        version_id = spec.get("VersionId")
        if version_id is None:
            version_id = next((v for v, version in secret.versions.items() if stage in version.get("version_stages", [])), None)
            if version_id is None:
                raise KeyError(f"no version of {spec['SecretId']} has the stage {stage}")
        version = secret.versions.get(version_id)
        if version is None or (stage is not None and stage not in version.get("version_stages", [])):
            raise KeyError(f"no version {version_id} with the stage {stage} in {spec['SecretId']}")
        text = version.get("secret_string")
    if not text:
        raise ValueError(f"version {version_id} of {spec['SecretId']} has no SecretString")
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError(f"version {version_id} of {spec['SecretId']} is not JSON") from None
    if not isinstance(value, dict):
        raise ValueError(f"version {version_id} of {spec['SecretId']} is not a JSON object")
    return value


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
