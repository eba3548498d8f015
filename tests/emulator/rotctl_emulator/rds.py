"""RDS as AWS is where rotctl depends on it: the master-user secrets RDS owns
(CreateDBInstance/CreateDBCluster ManageMasterUserPassword=true). moto 5.2.5
creates them (`rds!db-<uuid>`, OwningService rds, the tags
aws:rds:primaryDBInstanceArn / ...ClusterArn) and gets these wrong
(docs/emulator.md rows 19-21):

19. The secret moto creates has rotation off and no rules. RDS turns rotation
    on, every 7 days (RDS User Guide, rds-secrets-manager; a live check in
    floci-io/floci#2378: RotationEnabled true, AutomaticallyAfterDays 7).
20. MasterUserSecret.SecretStatus turns `active` on the first read after
    `creating` or `rotating`, whatever happened, and is never `impaired`.
    Here it is `rotating` while the owner's rotation runs, `impaired` when the
    harness says the owner lost access (POST /_harness/owner-status), else
    `active`.
21. RotateMasterUserPassword (and RotateSecret on a managed secret) called
    Secrets Manager's RotateSecret, which with no function leaves a bare
    AWSPENDING for ever. The owner rotates the password itself: a new version
    with a new password becomes AWSCURRENT ("typically within one minute";
    here after OWNER_ROTATION_SECONDS), RotationStarted/RotationSucceeded are
    recorded. An impaired owner cannot: RotationFailed, AWSPENDING removed.
    A second RotateMasterUserPassword while one runs is RDS's own state error
    (InvalidDBInstanceStateFault / InvalidDBClusterStateFault), and a refused
    ModifyDBCluster no longer removes the cluster (moto dropped it first).
"""

from __future__ import annotations

import json
import secrets as random
import string
import threading
import time
import uuid
from typing import Any

from moto.rds import models as rds
from moto.rds.exceptions import InvalidDBClusterStateFault, InvalidDBInstanceStateFault
from moto.secretsmanager import models as sm

from .cloudtrail import record_event
from .common import STATE

OWNER_ROTATION_SECONDS = 0.5
DEFAULT_RULES = {"AutomaticallyAfterDays": 7}


def _owner_rotating(secret: sm.FakeSecret) -> bool:
    return bool(getattr(secret, "rotctl_owner_rotating", False))


def _impaired(secret: sm.FakeSecret) -> bool:
    return bool(getattr(secret, "rotctl_owner_impaired", False))


def set_owner_status(secret: sm.FakeSecret, status: str) -> None:
    """The harness: the owner lost (impaired) or regained (active) access."""
    if status not in ("impaired", "active"):
        raise ValueError(f"owner status {status!r}: use impaired or active")
    secret.rotctl_owner_impaired = status == "impaired"


def owner_rotation(secret: sm.FakeSecret, version_id: str) -> None:
    """Row 21: the owner rotates its secret, after a moment, in its own thread."""
    secret.rotctl_owner_rotating = True
    threading.Thread(target=_rotate, args=(secret, version_id), daemon=True).start()


def _rotate(secret: sm.FakeSecret, version_id: str) -> None:
    from .secretsmanager import next_rotation, now  # noqa: PLC0415 - the two modules use each other

    record_event(secret, "RotationStarted")
    time.sleep(OWNER_ROTATION_SECONDS)
    with STATE:
        secret.rotctl_owner_rotating = False
        pending = secret.versions.get(version_id)
        if pending is None or "AWSPENDING" not in pending["version_stages"]:
            failed = "the rotation was cancelled"
        elif _impaired(secret):
            pending["version_stages"].remove("AWSPENDING")
            failed = f"{secret.owning_service} could not access the secret or its KMS key"
        else:
            failed = None
            current = next((v for v in secret.versions.values() if "AWSCURRENT" in v["version_stages"]), None)
            username = json.loads(current.get("secret_string") or "{}").get("username", "admin") if current else "admin"
            alphabet = string.ascii_letters + string.digits
            password = "".join(random.choice(alphabet) for _ in range(32))
            pending["secret_string"] = json.dumps({"username": username, "password": password})
            for version in secret.versions.values():
                if "AWSPREVIOUS" in version["version_stages"]:
                    version["version_stages"].remove("AWSPREVIOUS")
            if current is not None:
                current["version_stages"] = [s for s in current["version_stages"] if s != "AWSCURRENT"] + ["AWSPREVIOUS"]
            pending["version_stages"] = ["AWSCURRENT"]
            secret.last_rotation_date = now()
            secret.next_rotation_date = next_rotation(getattr(secret, "rotation_rules", None) or {}, now())
    if failed:
        record_event(secret, "RotationFailed", failed)
    else:
        record_event(secret, "RotationSucceeded")


_original_create = rds.MasterUserSecret._create_secret


def _create_secret(self: rds.MasterUserSecret, kms_key_id: str | None) -> sm.FakeSecret:
    from .secretsmanager import next_rotation, now  # noqa: PLC0415

    secret = _original_create(self, kms_key_id)
    with STATE:
        # Row 19: RDS rotates its secrets every 7 days unless told otherwise.
        secret.rotation_enabled = True
        secret.rotation_requested = True
        secret.rotation_rules = dict(DEFAULT_RULES)
        secret.auto_rotate_after_days = DEFAULT_RULES["AutomaticallyAfterDays"]
        secret.next_rotation_date = next_rotation(secret.rotation_rules, now())
    return secret


def _secret_status(self: rds.MasterUserSecret) -> str:
    # Row 20: what the owner says is what happened, read as often as you like.
    if _impaired(self.secret):
        return "impaired"
    if _owner_rotating(self.secret):
        return "rotating"
    return "active"


def _rotate_secret(self: rds.MasterUserSecret) -> None:
    # Row 21: RDS's RotateMasterUserPassword is the owner's rotation. One
    # already running (or pending) is RDS's own state error, in RDS's protocol,
    # raised before moto's modify takes the resource out of its table.
    pending = any("AWSPENDING" in v["version_stages"] and "AWSCURRENT" not in v["version_stages"]
                  for v in self.secret.versions.values())
    if _owner_rotating(self.secret) or pending:
        if isinstance(self.resource, rds.DBCluster):
            raise InvalidDBClusterStateFault(f"DB cluster {self.resource.db_cluster_identifier} is rotating its master user password.")
        raise InvalidDBInstanceStateFault(f"DB instance {self.resource.db_instance_identifier} is rotating its master user password.")
    self.secretsmanager.rotate_secret(self.secret.arn, rotate_immediately=True, client_request_token=str(uuid.uuid4()))


_original_modify_db_cluster = rds.RDSBackend.modify_db_cluster


def _modify_db_cluster(self: rds.RDSBackend, kwargs: dict[str, Any]) -> Any:
    # Row 21: moto takes the cluster out of its table before it checks the
    # change, so an error (a rotation refused) left the cluster gone; AWS
    # changes nothing on an error.
    cluster_id = kwargs["db_cluster_identifier"]
    cluster = self.clusters.get(cluster_id)
    try:
        return _original_modify_db_cluster(self, kwargs)
    except Exception:
        if cluster is not None:
            self.clusters.setdefault(cluster_id, cluster)
        raise


def find_secret(account: str, region: str, secret_id: str) -> Any:
    backend = sm.secretsmanager_backends[account][region]
    if secret_id in backend.secrets:
        return backend.secrets[secret_id]
    raise KeyError(f"no secret {secret_id} in {account}/{region}")


def apply() -> None:
    rds.MasterUserSecret._create_secret = _create_secret
    rds.MasterUserSecret.secret_status = property(_secret_status)
    rds.MasterUserSecret.rotate_secret = _rotate_secret
    rds.RDSBackend.modify_db_cluster = _modify_db_cluster
