"""Lambda: rotation functions that really run, and the checks rotctl meets.

moto 5.2.5 runs no function code without Docker, and these machines have no
Docker engine: Python handlers run here instead, in a process forked from a
warm runtime (../lambda_runtime.py, started by start_runtime()), with the
function's environment and timeout and the emulator as their AWS endpoint;
their output goes to /aws/lambda/<name> in CloudWatch Logs, as in AWS.
moto also accepts a duplicate AddPermission statement id, reports a made-up
VpcId in VpcConfig, and has UpdateFunctionConfiguration settle at once; the
patches below restore AWS's behaviour, each with a comment naming it.
apply() installs them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
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
