r"""A Lambda Python runtime for the test emulator, without Docker.

moto runs no function code unless it can start Docker containers, and these
machines have no Docker engine. server.py starts this file once as a fork
server: it imports boto3 and parses the Secrets Manager model, then forks one
child per invocation, so an invocation costs a fork, not an interpreter start.

    python lambda_runtime.py SOCKET_PATH

It exits when the emulator does, and removes the directory holding its socket
(the emulator extracts the functions' code there too).

Protocol, one connection per invocation: the emulator sends one JSON line
{code_dir, handler, event, env, request_id, timeout}; the child answers a line
{"pid": N} (so the emulator can kill it at the timeout), then one line
{"log": {"timestamp": ms, "message": "..."}} per log event as it happens (so a
function killed at its timeout keeps what it logged), then a line
{"outcome": "ok"|"error", "payload": "...", "init_ms", "duration_ms",
"max_memory_mb"}.

Like AWS Lambda's Python runtime (awslambdaric, text log format): the
function's environment variables are set, its code directory is the working
directory and on sys.path; a `logging` record is one log event,
`[LEVEL]\t<UTC time, ms>Z\t<request id>\t<message>\n`, the root logger left
at its level (WARNING unless the function or AWS_LAMBDA_LOG_LEVEL sets it);
each line written to stdout/stderr is one event; an uncaught exception fails
the invocation with errorMessage/errorType/requestId/stackTrace and is logged
as one event, `[ERROR] <type>: <message>` then the traceback, its indentation
in no-break spaces.
"""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import select
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from typing import Any

import boto3

# Parse the Secrets Manager model once, here; the forked children inherit it.
# The warm default session re-reads region and endpoint from the environment
# for each new client; its credentials are the harness's, the same for all.
boto3.client("secretsmanager", region_name="us-east-1", endpoint_url="http://127.0.0.1:9")


# As awslambdaric: the traceback's indentation is written with no-break spaces.
ERROR_LOG_INDENT = "\u00a0"
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class LambdaContext:
    def __init__(self, function_name: str, request_id: str, timeout_seconds: int):
        self.function_name = function_name
        self.aws_request_id = request_id
        self.memory_limit_in_mb = 128
        self._deadline = time.time() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


class LogSink:
    """Sends each log event to the emulator as it happens, one JSON line each."""

    def __init__(self, stream: Any):
        self.stream = stream
        self.lock = threading.Lock()

    def emit(self, message: str, timestamp: float | None = None) -> None:
        event = {"timestamp": int((time.time() if timestamp is None else timestamp) * 1000), "message": message}
        with self.lock:
            self.stream.write(json.dumps({"log": event}).encode() + b"\n")
            self.stream.flush()


class LineWriter(io.TextIOBase):
    """stdout/stderr: each complete line is one log event, as Lambda splits them."""

    def __init__(self, sink: LogSink):
        self.sink = sink
        self.partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.partial += text
        while "\n" in self.partial:
            line, self.partial = self.partial.split("\n", 1)
            self.sink.emit(line + "\n")
        return len(text)

    def close_line(self) -> None:
        if self.partial:
            self.sink.emit(self.partial)
            self.partial = ""


class LambdaLoggerHandler(logging.Handler):
    """The runtime's logging handler: one formatted record, one log event."""

    def __init__(self, sink: LogSink, request_id: str):
        super().__init__()
        self.sink = sink
        self.request_id = request_id

    def emit(self, record: logging.LogRecord) -> None:
        record.aws_request_id = self.request_id
        try:
            self.sink.emit(self.format(record), record.created)
        except Exception:  # noqa: BLE001 - as logging.Handler: a failed record must not fail the function
            self.handleError(record)


def error_event(error_type: str, message: str, stack_trace: list[str]) -> str:
    """awslambdaric's text-format error event: the error line, then the traceback."""
    description = "[ERROR]"
    if error_type:
        description += f" {error_type}"
    if message:
        description += (":" if error_type else "") + f" {message}"
    lines = [description, "Traceback (most recent call last):"]
    for element in stack_trace:
        for line in element.splitlines():
            stripped = line.lstrip(" ")
            lines.append(ERROR_LOG_INDENT * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines)


def run_invocation(connection: socket.socket) -> None:
    """In the forked child: read the request, run the handler, stream its log, answer."""
    stream = connection.makefile("rwb")
    request = json.loads(stream.readline())
    stream.write(json.dumps({"pid": os.getpid()}).encode() + b"\n")
    stream.flush()
    os.environ.update(request["env"])
    # Each function's credentials are its own (Lambda gives each its role's):
    # the warm session's cached ones are dropped, and read again from this environment.
    if boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION._session._credentials = None
    os.chdir(request["code_dir"])
    sys.path.insert(0, request["code_dir"])
    sink = LogSink(stream)
    writer = LineWriter(sink)
    sys.stdout = writer
    sys.stderr = writer
    # As awslambdaric: log times are UTC, and the runtime's handler is the root's only one.
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers[:] = []
    handler = LambdaLoggerHandler(sink, request["request_id"])
    handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:  # noqa: SLF001 - the runtime's own check
        root.setLevel(level)
    init_ms = duration_ms = 0.0
    try:
        started = time.perf_counter()
        try:
            handler_function = load_handler(request["handler"])
        finally:
            init_ms = (time.perf_counter() - started) * 1000
        context = LambdaContext(request["env"].get("AWS_LAMBDA_FUNCTION_NAME", ""), request["request_id"], request["timeout"])
        started = time.perf_counter()
        try:
            result = handler_function(request["event"], context)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
        answer = {"outcome": "ok", "payload": json.dumps(result)}
    except RuntimeFault as fault:
        writer.close_line()
        sink.emit(error_event(fault.error_type, str(fault), []))
        answer = {"outcome": "error", "payload": json.dumps({
            "errorMessage": str(fault), "errorType": fault.error_type, "requestId": "", "stackTrace": [],
        })}
    except BaseException as error:  # noqa: BLE001 - the runtime reports every failure
        frames = traceback.extract_tb(error.__traceback__)
        # As awslambdaric: the runtime's own frames are left out.
        frames = [frame for frame in frames if frame.filename != os.path.abspath(__file__)] or frames
        stack_trace = traceback.format_list(frames)
        writer.close_line()
        sink.emit(error_event(type(error).__name__, str(error), stack_trace))
        answer = {"outcome": "error", "payload": json.dumps({
            "errorMessage": str(error), "errorType": type(error).__name__,
            "requestId": request["request_id"], "stackTrace": stack_trace,
        })}
    finish(stream, writer, answer, init_ms, duration_ms)


def finish(stream: Any, writer: LineWriter, answer: dict[str, Any], init_ms: float, duration_ms: float) -> None:
    """Sends the invocation's outcome, with what the REPORT line needs."""
    writer.close_line()
    answer.update(init_ms=init_ms, duration_ms=duration_ms,
                  max_memory_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    stream.write(json.dumps(answer).encode() + b"\n")
    stream.flush()


class RuntimeFault(Exception):
    """A failure of the runtime to load the handler, with Lambda's Runtime.* error type."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def load_handler(handler: str) -> Any:
    """The handler function named `module.function`, imported as awslambdaric does.

    Raises:
        RuntimeFault: Runtime.MalformedHandlerName, Runtime.ImportModuleError,
            Runtime.UserCodeSyntaxError or Runtime.HandlerNotFound, with
            awslambdaric's messages.
    """
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError:
        message = f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)"
        raise RuntimeFault("Runtime.MalformedHandlerName", message) from None
    try:
        module = __import__(module_name.replace("/", "."))
    except SyntaxError as error:
        raise RuntimeFault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}") from None
    except ImportError as error:
        raise RuntimeFault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from None
    function = getattr(module, function_name, None)
    if function is None:
        raise RuntimeFault("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return function


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
    # The emulator is gone (it leaves with os._exit): remove the functions'
    # extracted code and this socket, which live in one temporary directory.
    shutil.rmtree(os.path.dirname(os.path.abspath(path)), ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
