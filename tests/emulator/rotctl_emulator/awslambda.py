"""Lambda: rotation functions that really run, and the checks rotctl meets.

moto 5.2.5 runs no function code without Docker, and these machines have no
Docker engine: Python handlers run here instead, in a process forked from a
warm runtime (../lambda_runtime.py, started by start_runtime()), with the
function's environment and timeout and the emulator as their AWS endpoint;
their output goes to /aws/lambda/<name> in CloudWatch Logs as AWS writes it
(START, one event per log record with its time, the error and its
traceback, END, REPORT), in one stream per execution environment.
moto also accepts a duplicate AddPermission statement id, reports a made-up
VpcId in VpcConfig, and has UpdateFunctionConfiguration settle at once; the
patches below restore AWS's behaviour, each with a comment naming it.
apply() installs them.
"""

from __future__ import annotations

import compileall
import hashlib
import io
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.policy import Policy as LambdaPolicy
from moto.ec2 import models as ec2_models

from .common import ENDPOINT, STATE

# tests/emulator, where lambda_runtime.py is.
EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The access key the rotation functions run with, so their calls are never
# counted as the calls of the test that triggered them.
LAMBDA_ACCESS_KEY = "AKIAHARNESSLAMBDA000"

# An AWS service endpoint URL (https://<service>.<region>.amazonaws.com[.cn], or a VPC endpoint's name).
AWS_ENDPOINT = re.compile(r"^https?://[A-Za-z0-9.-]+\.amazonaws\.com(\.cn)?/?$")

CODE_DIRS: dict[str, str] = {}
# Set by start_runtime(): the directory the functions' code is extracted to,
# the fork server's socket, and its process (held for the life of the
# emulator, so its stdout pipe stays open).
RUNTIME: dict[str, Any] = {}


def find_function(account_id: str, region: str, arn: str) -> Any:
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
            target = os.path.join(RUNTIME["code_root"], digest)
            with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as archive:
                archive.extractall(target)
            # Each invocation imports the code afresh in a forked child (AWS
            # keeps it imported in a warm environment): compiled once here,
            # a bundled driver is not compiled again by every child, even
            # with PYTHONDONTWRITEBYTECODE set.
            compileall.compile_dir(target, quiet=2)
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


# Execution environments, per function and configuration: AWS reuses an idle
# one (and its log stream) and starts a new one when all are busy.
ENVIRONMENTS: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
ENVIRONMENTS_LOCK = threading.Lock()
# The tail of the log AWS returns with LogType=Tail (x-amz-log-result).
LOG_TAIL_BYTES = 4096


def _acquire_environment(fn: Any) -> dict[str, Any]:
    """An idle execution environment of the function, or a new one with its own log stream."""
    key = (fn.function_arn, str(getattr(fn, "code_sha_256", "")), str(getattr(fn, "last_modified", "")))
    with ENVIRONMENTS_LOCK:
        pool = ENVIRONMENTS.setdefault(key, [])
        for environment in pool:
            if not environment["busy"]:
                environment["busy"] = True
                environment["fresh"] = False
                return environment
        # AWS names an environment's stream <date>/[<version>]<32 hex digits>.
        day = time.strftime("%Y/%m/%d", time.gmtime())
        environment = {"stream": f"{day}/[{fn.version}]{uuid.uuid4().hex}", "busy": True, "fresh": True}
        pool.append(environment)
        return environment


def _release_environment(fn: Any, environment: dict[str, Any], broken: bool) -> None:
    """Makes the environment idle again; one whose runtime was killed is discarded, as AWS resets it."""
    with ENVIRONMENTS_LOCK:
        environment["busy"] = False
        if broken:
            for pool in ENVIRONMENTS.values():
                if environment in pool:
                    pool.remove(environment)


def _put_log_event(fn: Any, stream: str, message: str, timestamp_ms: int | None = None) -> None:
    """Writes one event to the function's log group, in the environment's stream."""
    event = {"timestamp": int(time.time() * 1000) if timestamp_ms is None else int(timestamp_ms), "message": message}
    with STATE:
        fn.logs_backend.ensure_log_group(fn.logs_group_name)
        fn.logs_backend.ensure_log_stream(fn.logs_group_name, stream)
        fn.logs_backend.put_log_events(fn.logs_group_name, stream, [event])


def _peak_memory_mb(pid: int) -> int:
    """The peak resident memory of a running invocation (VmHWM), in MB; 0 when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _utc_stamp(seconds: float) -> str:
    """2026-12-01T19:09:45.757Z, as Lambda writes times in its log lines."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


# Where a function with no way to Secrets Manager sends its calls: the discard port, closed here.
UNREACHABLE = "http://127.0.0.1:9"


def _reaches_secretsmanager(fn: Any) -> bool:
    """Whether a function reaches Secrets Manager: outside a VPC always; in one,
    through a Secrets Manager interface endpoint with private DNS in its VPC,
    or when each of its subnets' route tables (else the VPC's main table) has a
    default route through a NAT gateway, a NAT instance or a transit gateway."""
    config = fn._vpc_config or {}
    subnets = config.get("SubnetIds") or []
    if not subnets:
        return True
    ec2 = ec2_models.ec2_backends[fn.account_id][fn.region]
    try:
        vpc_id = ec2.get_subnet(subnets[0]).vpc_id
    except Exception:  # noqa: BLE001 - a subnet that is gone: nothing is reachable
        return False
    service = f"com.amazonaws.{fn.region}.secretsmanager"
    for endpoint in ec2.vpc_end_points.values():
        if endpoint.vpc_id == vpc_id and endpoint.service_name == service and endpoint.private_dns_enabled \
                and str(endpoint.vpc_endpoint_type).lower() == "interface":
            return True
    tables = [t for t in ec2.route_tables.values() if t.vpc_id == vpc_id]
    main = next((t for t in tables if t.main_association_id is not None), None)
    for subnet in subnets:
        table = next((t for t in tables if subnet in t._associations.values()), main)
        routes = table.routes if table is not None else []
        if not any(r.destination_cidr_block == "0.0.0.0/0" and (r.nat_gateway or r.instance or r.transit_gateway)
                   for r in routes):
            return False
    return True


def invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
    # AWS runs the function's code; moto runs nothing without Docker (note 1).
    # Python handlers run here, in a process forked from a warm runtime
    # (lambda_runtime.py), with the function's environment and the emulator
    # as their AWS endpoint.
    # AWS Lambda writes each invocation's output to /aws/lambda/<function>,
    # one event per platform line and per log record, each with its own time,
    # in one stream per execution environment; moto writes the whole output
    # as one batch, one event per line, all at one time, in a new stream for
    # every invocation. The events go out as they happen, so a function
    # killed at its timeout keeps what it logged.
    request_id = str(uuid.uuid4())
    if not str(self.run_time or "").startswith("python"):
        return json.dumps({"errorMessage": f"runtime {self.run_time} is not emulated"}), True, ""
    env = {
        "AWS_ENDPOINT_URL": ENDPOINT["url"],
        "AWS_ACCESS_KEY_ID": LAMBDA_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": "harness",
        # Names the calling function to the harness (kms.py checks its role against the secret's key).
        "AWS_SESSION_TOKEN": f"rotctl-function:{self.function_arn}",
        "AWS_REGION": self.region,
        "AWS_DEFAULT_REGION": self.region,
        "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_size or 128),
        "AWS_LAMBDA_LOG_GROUP_NAME": self.logs_group_name,
        "_HANDLER": self.handler,
    }
    env.update(self.environment_vars or {})
    # AWS resolves an AWS service endpoint in a function's environment (the
    # rotation applications set SECRETS_MANAGER_ENDPOINT to
    # https://secretsmanager.<region>.amazonaws.com); here every such endpoint
    # is the emulator, so a deployed function never reaches real AWS.
    for key, value in list(env.items()):
        if key != "AWS_ENDPOINT_URL" and AWS_ENDPOINT.match(str(value)):
            env[key] = ENDPOINT["url"]
    if not _reaches_secretsmanager(self):
        # AWS: a function in a VPC reaches AWS's endpoints only through an
        # interface endpoint with private DNS or a NAT route; without either its
        # calls time out at connect ("Could not connect to the endpoint URL").
        # Here they go to a port nobody listens on, and fail the same way at once.
        for key, value in list(env.items()):
            if key == "AWS_ENDPOINT_URL" or value == ENDPOINT["url"]:
                env[key] = UNREACHABLE
    timeout = int(self.timeout or 3)
    code_dir = _code_dir(self)
    environment = _acquire_environment(self)
    env["AWS_LAMBDA_LOG_STREAM_NAME"] = environment["stream"]
    request = {"code_dir": code_dir, "handler": self.handler, "event": event or {}, "env": env,
               "request_id": request_id, "timeout": timeout}
    try:
        return _run_invocation(self, environment, request)
    except BaseException:
        _release_environment(self, environment, broken=True)
        raise


def _run_invocation(self: Any, environment: dict[str, Any], request: dict[str, Any]) -> tuple[str, bool, str]:
    """Runs one invocation in the fork server, writing its log events as they come; releases the environment."""
    request_id, timeout = request["request_id"], request["timeout"]
    log: list[str] = []

    def write(message: str, timestamp_ms: int | None = None) -> None:
        log.append(message)
        _put_log_event(self, environment["stream"], message, timestamp_ms)

    started = time.time()
    write(f"START RequestId: {request_id} Version: {self.version}\n")
    pid = None
    answer: dict[str, Any] | None = None
    timed_out = False
    deadline = time.monotonic() + timeout
    try:
        with _connect_runtime(timeout) as connection:
            stream = connection.makefile("rwb")
            stream.write(json.dumps(request).encode() + b"\n")
            stream.flush()
            while answer is None:
                connection.settimeout(max(0.001, deadline - time.monotonic()))
                line = stream.readline()
                if not line:
                    break
                message = json.loads(line)
                if "pid" in message:
                    pid = message["pid"]
                elif "log" in message:
                    write(message["log"]["message"], message["log"]["timestamp"])
                else:
                    answer = message
    except (OSError, ValueError):  # socket.timeout is an OSError
        timed_out = time.monotonic() >= deadline
    peak_mb = 0
    if answer is None and pid:
        peak_mb = _peak_memory_mb(pid)
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    if answer is not None:
        outcome, payload = answer["outcome"], answer["payload"]
        duration_ms = float(answer.get("duration_ms", 0.0))
    elif timed_out:
        # AWS: the timeout is logged with its time and request id, and is the invocation's error.
        text = f"{_utc_stamp(time.time())} {request_id} Task timed out after {timeout:.2f} seconds"
        write(text + "\n")
        outcome, payload, duration_ms = "error", json.dumps({"errorMessage": text}), timeout * 1000.0
    else:
        outcome = "error"
        reason = f"RequestId: {request_id} Error: Runtime exited without providing a reason"
        payload = json.dumps({"errorType": "Runtime.ExitError", "errorMessage": reason})
        duration_ms = (time.time() - started) * 1000
    write(f"END RequestId: {request_id}\n")
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {max(1, math.ceil(duration_ms))} ms"
        f"\tMemory Size: {int(self.memory_size or 128)} MB\tMax Memory Used: {int((answer or {}).get('max_memory_mb', peak_mb))} MB"
    )
    if environment["fresh"] and answer is not None:
        report += f"\tInit Duration: {float(answer.get('init_ms', 0.0)):.2f} ms"
    if timed_out:
        report += "\tStatus: timeout"
    write(report + "\t\n")
    _release_environment(self, environment, broken=answer is None)
    text = "".join(message if message.endswith("\n") else message + "\n" for message in log)
    tail = text.encode()[-LOG_TAIL_BYTES:].decode("utf-8", "ignore")
    return payload, outcome == "error", tail


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
    # AWS: an Environment without Variables clears the function's variables;
    # moto 5.2.5 answers it with a 500 (KeyError).
    if isinstance(config_updates.get("Environment"), dict):
        config_updates["Environment"].setdefault("Variables", {})
    result = _original_update_configuration(self, config_updates)
    self.update_settles_at = time.time() + UPDATE_SETTLE_SECONDS
    return result


def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
    config = _original_get_configuration(self, on_create)
    if not on_create and time.time() < getattr(self, "update_settles_at", 0):
        config["LastUpdateStatus"] = "InProgress"
    return config


def start_runtime() -> None:
    """Starts the rotation functions' runtime: a fork server that imported boto3 once."""
    RUNTIME["code_root"] = tempfile.mkdtemp(prefix="rotctl-emulator-code-")
    RUNTIME["socket"] = os.path.join(RUNTIME["code_root"], "runtime.sock")
    runtime_env = dict(os.environ, AWS_ACCESS_KEY_ID=LAMBDA_ACCESS_KEY, AWS_SECRET_ACCESS_KEY="harness")
    runtime = subprocess.Popen(
        [sys.executable, os.path.join(EMULATOR_DIR, "lambda_runtime.py"), RUNTIME["socket"]],
        stdout=subprocess.PIPE, env=runtime_env, text=True,
    )
    runtime.stdout.readline()  # READY
    RUNTIME["process"] = runtime


def apply() -> None:
    """Installs the Lambda corrections into moto."""
    lambda_models.LambdaFunction._invoke_lambda = invoke_lambda
    LambdaPolicy.add_statement = add_statement
    lambda_models.LambdaFunction.vpc_config = property(function_vpc_config)
    lambda_models.LambdaFunction.update_configuration = update_configuration
    lambda_models.LambdaFunction.get_configuration = get_configuration
