"""The demo's real PostgreSQL, through the emulator's harness endpoints
(see docs/emulator.md): a throw-away cluster, database users made from
secrets, and real logins. Prints no password: the emulator keeps them.

    python demo_db.py setup          start the cluster; create demo/billing-db (one user),
                                     demo/inventory-db and its master (alternating users)
    python demo_db.py login SECRET [STAGE]   log in with that version (default AWSCURRENT)
    python demo_db.py stop | start   the database goes down / comes back (same port, same data)
"""

import json
import os
import sys
import urllib.error
import urllib.request

import boto3

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
CLUSTER = "demo"


def harness(path: str, body: dict) -> dict:
    request = urllib.request.Request(ENDPOINT + path, data=json.dumps(body).encode(), method="POST")
    try:
        return json.loads(urllib.request.urlopen(request).read())
    except urllib.error.HTTPError as error:
        sys.exit(f"demo: {path}: {error.read().decode(errors='replace')}")


def db_secret(name: str, user: str, port: int, master: str | None = None, superuser: bool = False) -> str:
    """A secret AWS's PostgreSQL rotation functions read, and its user in the database."""
    sm = boto3.client("secretsmanager")
    password = sm.get_random_password(ExcludeCharacters=":/@\"'\\")["RandomPassword"]
    value = {"engine": "postgres", "host": "127.0.0.1", "port": port, "dbname": "postgres",
             "username": user, "password": password, "ssl": False}
    if master:
        value["masterarn"] = master
    arn = sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]
    harness("/_harness/postgres/role", {"Cluster": CLUSTER, "SecretId": arn, "Superuser": superuser})
    return arn


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "setup":
        port = harness("/_harness/postgres", {"Cluster": CLUSTER})["Port"]
        db_secret("demo/billing-db", "billing_app", port)
        master = db_secret("demo/inventory-master", "inventory_admin", port, superuser=True)
        db_secret("demo/inventory-db", "inventory_app", port, master=master)
        print(f"PostgreSQL on 127.0.0.1:{port}: users billing_app, inventory_app, inventory_admin", file=sys.stderr)
    elif command == "login":
        secret, stage = sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "AWSCURRENT")
        answer = harness("/_harness/postgres/login", {"SecretId": secret, "VersionStage": stage})
        if answer["LoggedIn"]:
            print(f"login as {answer['User']} with the {stage} password: ok")
        else:
            print(f"login as {answer['User']} with the {stage} password: refused ({answer.get('Error', '')})")
    elif command in ("stop", "start"):
        harness(f"/_harness/postgres/{command}", {"Cluster": CLUSTER})
        print("the database is " + ("down" if command == "stop" else "up again"))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
