"""A Lambda Python runtime for the test emulator, without Docker.

moto runs no function code unless it can start Docker containers, and these
machines have no Docker engine. server.py starts this file once as a fork
server: it imports boto3 and parses the Secrets Manager model, then forks one
child per invocation, so an invocation costs a fork, not an interpreter start.

    python lambda_runtime.py SOCKET_PATH

Protocol, one connection per invocation: the emulator sends one JSON line
{code_dir, handler, event, env, request_id, timeout}; the child answers a line
{"pid": N} (so the emulator can kill it at the timeout), then a line
{"outcome": "ok"|"error", "payload": "...", "log": "..."}.

Like AWS Lambda: the function's environment variables are set, its code
directory is the working directory and on sys.path, stdout/stderr and the
`logging` root logger go to the invocation's log, and an uncaught exception
fails the invocation with errorType/errorMessage.
"""

import io
import json
import logging
import os
import select
import signal
import socket
import sys
import traceback

import boto3

# Parse the Secrets Manager model once, here; the forked children inherit it.
# The warm default session re-reads region and endpoint from the environment
# for each new client; its credentials are the harness's, the same for all.
boto3.client("secretsmanager", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


class LambdaContext:
    def __init__(self, function_name: str, request_id: str, timeout_seconds: int):
        self.function_name = function_name
        self.aws_request_id = request_id
        self.memory_limit_in_mb = 128
        self._timeout = timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return self._timeout * 1000


def run_invocation(connection: socket.socket) -> None:
    """In the forked child: read the request, run the handler, answer."""
    stream = connection.makefile("rwb")
    request = json.loads(stream.readline())
    stream.write(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    stream.flush()
    os.environ.update(request["env"])
    os.chdir(request["code_dir"])
    sys.path.insert(0, request["code_dir"])
    log = io.StringIO()
    sys.stdout = log
    sys.stderr = log
    root = logging.getLogger()
    root.handlers[:] = []
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        module_name, function_name = request["handler"].rsplit(".", 1)
        module = __import__(module_name)
        context = LambdaContext(request["env"].get("AWS_LAMBDA_FUNCTION_NAME", ""), request["request_id"], request["timeout"])
        result = getattr(module, function_name)(request["event"], context)
        answer = {"outcome": "ok", "payload": json.dumps(result)}
    except BaseException as error:  # noqa: BLE001 - the runtime reports every failure
        log.write(f"[ERROR] {type(error).__name__}: {error}\n")
        log.write(traceback.format_exc())
        answer = {"outcome": "error", "payload": json.dumps({"errorMessage": str(error), "errorType": type(error).__name__})}
    answer["log"] = log.getvalue()
    stream.write(json.dumps(answer).encode() + b"\n")
    stream.flush()


def serve(path: str) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(512)  # many rotations start at once under the test suite
    print("READY", flush=True)
    while os.getppid() == parent:  # exit with the emulator
        readable, _, _ = select.select([listener], [], [], 1.0)
        if not readable:
            continue
        connection, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            try:
                run_invocation(connection)
            finally:
                os._exit(0)
        connection.close()


if __name__ == "__main__":
    serve(sys.argv[1])
