"""The rotation functions' deployment packages, as zips the emulator's Lambda runs.

AWS publishes a rotation function per database engine and strategy (through
the Serverless Application Repository: SecretsManagerRDSPostgreSQLRotation-
SingleUser, ...MultiUser, and the like for MySQL, Oracle, ...). The emulator
has a real PostgreSQL only (postgres.py), so:

- engine "postgres" (also "postgresql", "aurora-postgresql"): rotctl's own
  PostgreSQL rotation function for the strategy
  (tests/fixtures/postgres_rotation/{single_user,multi_user}/lambda_function.py)
  with the pg8000 driver and its pure-Python dependencies, copied from the
  emulator's virtual environment, as AWS bundles its driver in the package;
- any other engine: tests/fixtures/unemulated_rotation/lambda_function.py,
  which puts a real AWSPENDING version at createSecret and fails at setSecret
  saying the emulator has no such database.

Beside lambda_function.py, every zip holds the modules it imports: the
protocol's shared steps (tests/fixtures/rotation_common.py) and, for
PostgreSQL, the shared login and testSecret
(tests/fixtures/postgres_rotation/postgres_common.py).

rotation_function_zip(engine, strategy) builds the zip once per pair; the
bytes are the same on every call (fixed timestamps, sorted entries), so the
function's CodeSha256 is stable. The harness serves them at
GET /_harness/function-zip?engine=...&strategy=....
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import re
import threading
import zipfile

# tests/, beside tests/emulator.
TESTS_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES_DIR = os.path.join(TESTS_DIR, "fixtures")
POSTGRES_ENGINES = {"postgres", "postgresql", "aurora-postgresql"}
STRATEGIES = {"single": "single_user", "multi": "multi_user"}
# The driver the PostgreSQL functions import; its dependencies come with it.
POSTGRES_DRIVER = "pg8000"
# The shared modules the functions import, bundled at the zip's top level.
ROTATION_COMMON = os.path.join(FIXTURES_DIR, "rotation_common.py")
POSTGRES_COMMON = os.path.join(FIXTURES_DIR, "postgres_rotation", "postgres_common.py")
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
ENGINE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

_CACHE: dict[tuple[str, str], bytes] = {}
_LOCK = threading.Lock()


def rotation_function_zip(engine: str, strategy: str) -> bytes:
    """The deployment package (zip bytes) of the rotation function for `engine` and `strategy`.

    Args:
        engine: the secret's engine, e.g. "postgres", "mysql", "oracle".
        strategy: "single" (the user changes its own password) or "multi"
            (alternating users, changed by the master secret's user).

    Raises:
        ValueError: an unknown strategy, or an engine name that is not one.
    """
    engine = (engine or "").strip().lower()
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be 'single' or 'multi', not {strategy!r}")
    if not ENGINE_NAME.match(engine):
        raise ValueError(f"not an engine name: {engine!r}")
    key = (engine, strategy)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _postgres_zip(strategy) if engine in POSTGRES_ENGINES else _unemulated_zip(engine, strategy)
        return _CACHE[key]


def _entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            _entry(archive, name, files[name])
    return buffer.getvalue()


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _function_files(function: str, *modules: str) -> dict[str, bytes]:
    """lambda_function.py from `function`, and each of the shared `modules` beside it, by its own name."""
    files = {"lambda_function.py": _read(function)}
    files.update({os.path.basename(module): _read(module) for module in modules})
    return files


def _postgres_zip(strategy: str) -> bytes:
    files = _function_files(
        os.path.join(FIXTURES_DIR, "postgres_rotation", STRATEGIES[strategy], "lambda_function.py"),
        ROTATION_COMMON,
        POSTGRES_COMMON,
    )
    files.update(_distribution_files(POSTGRES_DRIVER))
    return _zip(files)


def _unemulated_zip(engine: str, strategy: str) -> bytes:
    files = _function_files(os.path.join(FIXTURES_DIR, "unemulated_rotation", "lambda_function.py"), ROTATION_COMMON)
    files["rotation_target.json"] = json.dumps({"engine": engine, "strategy": strategy}).encode()
    return _zip(files)


def _requirement_name(requirement: str) -> str | None:
    """The distribution a requirement names, or None for an extra's requirement."""
    if ";" in requirement and "extra" in requirement.split(";", 1)[1]:
        return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return match.group(1) if match else None


def _distribution_files(root: str) -> dict[str, bytes]:
    """The importable files of `root` and of every distribution it requires, installed here.

    Source only: no dist-info, no compiled bytecode, no scripts outside the
    site-packages directory.
    """
    files: dict[str, bytes] = {}
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        normalized = re.sub(r"[-_.]+", "-", name).lower()
        if normalized in seen:
            continue
        seen.add(normalized)
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            if name == root:
                raise
            continue  # an optional or platform-specific requirement not installed here
        for requirement in distribution.requires or []:
            required = _requirement_name(requirement)
            if required:
                pending.append(required)
        for path in distribution.files or []:
            relative = str(path)
            if relative.startswith("..") or ".dist-info/" in relative or "__pycache__" in relative or relative.endswith(".pyc"):
                continue
            files[relative] = _read(str(path.locate()))
    return files
