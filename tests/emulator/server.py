"""rotctl's test emulator: moto server (pinned, see requirements.txt), corrected
where moto 5.2.5 differs from AWS in ways rotctl depends on, plus what AWS has
and moto lacks for testing (running rotation functions, fault injection, a
per-caller call log, settable dates).

    python tests/emulator/server.py [--port 0] [--log FILE]

Prints `READY <port>` on stdout once it serves on 127.0.0.1, and exits when its
stdin closes, so the test process that started it never leaks it.

The corrections live in the rotctl_emulator package beside this file, one
module per service (secretsmanager, awslambda, ec2, cloudformation,
serverlessrepo for AWS's rotation applications, and cloudtrail for the rotation
events); every patch there carries a comment naming
the AWS behaviour it restores, and each module's apply() installs its patches.
The control endpoints live under /_harness/ (see rotctl_emulator/harness.py,
HarnessApp.control; faults: Fault).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from werkzeug.serving import make_server  # noqa: E402

from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from rotctl_emulator import awslambda, cloudformation, common, ec2, harness, secretsmanager  # noqa: E402
from rotctl_emulator import logs, rds, sts  # noqa: E402
from rotctl_emulator import serverlessrepo  # noqa: E402


_original_backend_for_host = DomainDispatcherApplication.get_backend_for_host
_backends_by_host: dict = {}


def backend_for_host(self, host):  # type: ignore[no-untyped-def]
    # Speed only, no AWS behaviour: moto finds a request's service by listing
    # its modules on disk (a stat call per module) at every request, about a
    # millisecond each; the answer for a host never changes.
    if host not in _backends_by_host:
        _backends_by_host[host] = _original_backend_for_host(self, host)
    return _backends_by_host[host]


def apply_patches() -> None:
    """Corrects moto where it differs from AWS (each module's docstring says how)."""
    DomainDispatcherApplication.get_backend_for_host = backend_for_host
    secretsmanager.apply()
    awslambda.apply()
    ec2.apply()
    cloudformation.apply()
    serverlessrepo.apply()
    logs.apply()
    rds.apply()
    sts.apply()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="write the server's request log here")
    args = parser.parse_args()

    apply_patches()
    logging.basicConfig(
        filename=args.log, level=logging.INFO if args.log else logging.ERROR, format="%(asctime)s %(message)s"
    )
    logging.getLogger("werkzeug").setLevel(logging.INFO if args.log else logging.ERROR)
    # The rotation functions' runtime: a fork server that imported boto3 once.
    awslambda.start_runtime()

    app = harness.HarnessApp(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)
    common.ENDPOINT["url"] = f"http://127.0.0.1:{server.server_port}"
    os.environ["AWS_ENDPOINT_URL"] = common.ENDPOINT["url"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"READY {server.server_port}", flush=True)
    # Exit with the process that started us: its end closes our stdin.
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
