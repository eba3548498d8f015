"""Seeding helpers shared by scripts/demo_fleet.py and scripts/bench.py: the
tests' rotation function deployed into the emulator (AWS_ENDPOINT_URL) with
boto3, over the real AWS protocols."""

import io
import json
import os
import zipfile

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rotation_function(name: str, env: dict | None = None, grant: bool = True) -> str:
    """Creates tests/fixtures/rotation_function.py as `name`; with `grant`,
    lets Secrets Manager invoke it for the emulator's account. Returns its ARN."""
    iam, lam = boto3.client("iam"), boto3.client("lambda")
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.write(os.path.join(ROOT, "tests/fixtures/rotation_function.py"), "rotation_function.py")
    arn = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="rotation_function.lambda_handler",
        Code={"ZipFile": code.getvalue()}, Timeout=30, Environment={"Variables": env or {}},
    )["FunctionArn"]
    if grant:
        lam.add_permission(FunctionName=name, StatementId="SecretsManagerAccess", Action="lambda:InvokeFunction",
                           Principal="secretsmanager.amazonaws.com", SourceAccount="123456789012")
    return arn
