"""Serverless Application Repository: AWS's rotation applications.

moto 5.2.5 has no Serverless Application Repository at all: a request signed
for `serverlessrepo` finds no backend. `rotctl enable --template` deploys one
of AWS's rotation applications, which CloudFormation's
AWS::Serverless-2016-10-31 transform fetches from this service
(cloudformation.py expands it). This module serves, in the service's REST-JSON
protocol, the applications of rotctl's catalogue (src/templates.rs CATALOGUE)
at their pinned versions: GetApplication, ListApplicationVersions,
CreateCloudFormationTemplate, GetCloudFormationTemplate and
CreateCloudFormationChangeSet. An unknown application or version is a
NotFoundException. Each application's template is what the real ones create,
already expanded as the SAM transform would: an execution role with the
policies AWS's applications grant, the function (lambda_function.lambda_handler,
30 s, its environment, its VPC config when given), Secrets Manager's invoke
permission, and the output RotationLambdaARN. The function's code is
rotctl_emulator.functions.rotation_function_zip(engine, strategy). apply()
routes the service.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, unquote

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from .common import STATE

# The bucket SAR copies an application's template and code into for the
# deploying account (its change-set bucket; the name is SAR's, the suffix made up).
BUCKET = "awsserverlessrepo-changesets-rotctlemu01"
# AWS: a template made by CreateCloudFormationTemplate expires after 6 hours.
TEMPLATE_LIFETIME = timedelta(hours=6)
# The owners of AWS's rotation applications, per partition (src/templates.rs).
OWNERS = {"aws": ("us-east-1", "297356227824"), "aws-cn": ("cn-north-1", "193023089310"),
          "aws-us-gov": ("us-gov-west-1", "023102451235")}
# The applications ask for these (src/templates.rs SAR_CAPABILITIES explains
# why CloudFormation's CreateChangeSet takes CAPABILITY_IAM + AUTO_EXPAND instead).
REQUIRED_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]
# The runtime parameter's default in the pinned versions.
RUNTIME = "python3.9"
SOURCE_CODE_URL = "https://github.com/aws-samples/aws-secrets-manager-rotation-lambdas"


@dataclass(frozen=True)
class Application:
    name: str
    engine: str
    strategy: str  # "single" | "multi" (rotation_function_zip's strategies)
    versions: tuple[str, ...]
    label: str

    @property
    def takes_master_secret(self) -> bool:
        # Db2's single-user function also reads the master secret (src/templates.rs).
        return self.strategy == "multi" or self.engine == "db2"

    @property
    def exclude_characters(self) -> str:
        # Each function's own default (its lambda_function.py in
        # aws-samples/aws-secrets-manager-rotation-lambdas).
        return {"postgres": ':/@"\'\\', "redshift": '/@"\'\\:', "db2": '/@"\'\\;'}.get(self.engine, '/@"\'\\')

    @property
    def description(self) -> str:
        if self.engine == "any":
            return "A generic template for a Secrets Manager rotation function: you write the four steps"
        scheme = "single user" if self.strategy == "single" else "multi user"
        return f"Conducts an AWS SecretsManager secret rotation for {self.label} using {scheme} rotation scheme"


def _app(name: str, engine: str, strategy: str, version: str, label: str) -> Application:
    return Application(name, engine, strategy, (version,), label)


# Mirrors src/templates.rs CATALOGUE (names, engines, strategies, pinned
# versions): keep the two in step. The generic template has no pinned version
# in rotctl; 1.1.671 stands for one here.
CATALOGUE = {
    app.name: app
    for app in (
        _app("SecretsManagerRDSMariaDBRotationSingleUser", "mariadb", "single", "1.1.670", "RDS MariaDB"),
        _app("SecretsManagerRDSMariaDBRotationMultiUser", "mariadb", "multi", "1.1.670", "RDS MariaDB"),
        _app("SecretsManagerRDSMySQLRotationSingleUser", "mysql", "single", "1.1.671", "RDS MySQL"),
        _app("SecretsManagerRDSMySQLRotationMultiUser", "mysql", "multi", "1.1.671", "RDS MySQL"),
        _app("SecretsManagerRDSOracleRotationSingleUser", "oracle", "single", "1.1.671", "RDS Oracle"),
        _app("SecretsManagerRDSOracleRotationMultiUser", "oracle", "multi", "1.1.671", "RDS Oracle"),
        _app("SecretsManagerRDSPostgreSQLRotationSingleUser", "postgres", "single", "1.1.671", "RDS PostgreSQL"),
        _app("SecretsManagerRDSPostgreSQLRotationMultiUser", "postgres", "multi", "1.1.671", "RDS PostgreSQL"),
        _app("SecretsManagerRDSSQLServerRotationSingleUser", "sqlserver", "single", "1.1.670", "RDS SQL Server"),
        _app("SecretsManagerRDSSQLServerRotationMultiUser", "sqlserver", "multi", "1.1.671", "RDS SQL Server"),
        _app("SecretsManagerRDSDb2RotationSingleUser", "db2", "single", "1.1.271", "RDS Db2"),
        _app("SecretsManagerRDSDb2RotationMultiUser", "db2", "multi", "1.1.272", "RDS Db2"),
        _app("SecretsManagerRedshiftRotationSingleUser", "redshift", "single", "1.1.671", "Amazon Redshift"),
        _app("SecretsManagerRedshiftRotationMultiUser", "redshift", "multi", "1.1.671", "Amazon Redshift"),
        _app("SecretsManagerMongoDBRotationSingleUser", "mongo", "single", "1.1.671", "MongoDB"),
        _app("SecretsManagerMongoDBRotationMultiUser", "mongo", "multi", "1.1.671", "MongoDB"),
        _app("SecretsManagerRotationTemplate", "any", "single", "1.1.671", "any service"),
    )
}
# The day the pinned versions are said to have been published (CreationTime).
PUBLISHED = "2024-09-05T18:16:02.000Z"


class SarError(Exception):
    """An error in the service's own protocol (x-amzn-ErrorType and {errorCode, message})."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def application_arn(app: Application, region: str) -> str:
    partition = partition_of(region)
    home, owner = OWNERS[partition]
    return f"arn:{partition}:serverlessrepo:{home}:{owner}:applications/{app.name}"


def find(application_id: str, region: str, version: str | None = None) -> tuple[Application, str]:
    """The application and version asked for; NotFoundException as SAR answers otherwise."""
    match = re.fullmatch(r"arn:[a-z-]+:serverlessrepo:[a-z0-9-]+:\d{12}:applications/([A-Za-z0-9-]+)", application_id)
    app = CATALOGUE.get(match.group(1)) if match else None
    if app is None or application_arn(app, region) != application_id:
        # AWS: an application the caller cannot see is a NotFoundException
        # (the wording of the message is the emulator's).
        raise SarError(404, "NotFoundException", f"Cannot find application with id: {application_id}")
    if version is None:
        version = app.versions[-1]
    if version not in app.versions:
        raise SarError(404, "NotFoundException", f"Cannot find version {version} for application {application_id}")
    return app, version


# ---------------------------------------------------------------------------
# The application's template, as the real applications contain it
# ---------------------------------------------------------------------------


def _parameters(app: Application) -> dict[str, dict[str, Any]]:
    parameters: dict[str, dict[str, Any]] = {
        "endpoint": {"Type": "String", "Description": "The Secrets Manager endpoint to hit"},
        "functionName": {"Type": "String", "Description": "The name of the lambda function"},
        "invokingServicePrincipal": {
            "Type": "String", "Default": "secretsmanager.amazonaws.com",
            "Description": "The service principal of the invoking service",
        },
        "kmsKeyArn": {"Type": "String", "Default": "",
                      "Description": "The kms key used to encrypt the secret being rotated"},
        "vpcSubnetIds": {"Type": "CommaDelimitedList", "Default": "", "Description": "List of VPC subnet IDs"},
        "vpcSecurityGroupIds": {"Type": "CommaDelimitedList", "Default": "",
                                "Description": "List of VPC security group IDs"},
        "excludeCharacters": {
            "Type": "String", "Default": app.exclude_characters,
            "Description": "A string of characters to exclude from the generated password",
        },
        "runtime": {"Type": "String", "Default": RUNTIME, "Description": "The Lambda runtime"},
    }
    if app.takes_master_secret:
        master: dict[str, Any] = {"Type": "String",
                                  "Description": "The ARN of the master secret used to create the new user"}
        if app.strategy == "single":
            master["Default"] = ""
        parameters["masterSecretArn"] = master
        parameters["masterSecretKmsKeyArn"] = {
            "Type": "String", "Default": "", "Description": "The kms key used to encrypt the master secret",
        }
    return parameters


def _references(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["Ref"]} if isinstance(value.get("Ref"), str) else set()
        for item in value.values():
            found |= _references(item)
        return found
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value)) if value else set()
    return set()


def application_template(app: Application, version: str, code_key: str) -> dict[str, Any]:
    """The template SAR hands CloudFormation for `app` at `version`, already
    expanded as the SAM transform expands the application's own
    AWS::Serverless::Function (role, function, permission)."""
    function, role = app.name, f"{app.name}Role"
    rotation_policy = {
        # SAM's AWSSecretsManagerRotationPolicy, as the applications use it.
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                           "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:*"},
                "Condition": {"StringEquals": {"secretsmanager:resource/AllowRotationLambdaArn": {"Fn::Sub": [
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}",
                    {"functionName": {"Ref": "functionName"}},
                ]}}},
            },
            {"Effect": "Allow", "Action": ["secretsmanager:GetRandomPassword"], "Resource": "*"},
        ]
    }
    policies: list[Any] = [
        {"PolicyName": f"{role}Policy0", "PolicyDocument": {"Statement": [{
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                       "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"],
            "Resource": "*",
        }]}},
        {"PolicyName": f"{role}Policy1", "PolicyDocument": rotation_policy},
        {"Fn::If": ["KmsKeyArnExists", {"PolicyName": f"{role}Policy2", "PolicyDocument": {"Statement": [{
            "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            "Resource": {"Ref": "kmsKeyArn"},
        }]}}, {"Ref": "AWS::NoValue"}]},
    ]
    conditions: dict[str, Any] = {
        "AddVpcConfig": {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "vpcSubnetIds"}]}, ""]}]},
        "KmsKeyArnExists": {"Fn::Not": [{"Fn::Equals": [{"Ref": "kmsKeyArn"}, ""]}]},
    }
    if app.takes_master_secret:
        conditions["MasterSecretArnExists"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "masterSecretArn"}, ""]}]}
        conditions["MasterSecretKmsKeyArnExists"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "masterSecretKmsKeyArn"}, ""]}]}
        master_read = {"PolicyName": f"{role}Policy3", "PolicyDocument": {"Statement": [{
            "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": {"Ref": "masterSecretArn"},
        }]}}
        policies.append(master_read if app.strategy == "multi"
                        else {"Fn::If": ["MasterSecretArnExists", master_read, {"Ref": "AWS::NoValue"}]})
        policies.append({"Fn::If": ["MasterSecretKmsKeyArnExists", {
            "PolicyName": f"{role}Policy4", "PolicyDocument": {"Statement": [{
                "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": {"Ref": "masterSecretKmsKeyArn"},
            }]},
        }, {"Ref": "AWS::NoValue"}]})
    resources = {
        role: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["sts:AssumeRole"], "Principal": {"Service": ["lambda.amazonaws.com"]},
                }]},
                "ManagedPolicyArns": [
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
                ],
                "Policies": policies,
                "Tags": [{"Key": "lambda:createdBy", "Value": "SAM"}],
            },
        },
        function: {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": {"Ref": "functionName"},
                "Description": app.description,
                "Handler": "lambda_function.lambda_handler",
                "Runtime": {"Ref": "runtime"},
                "MemorySize": 128,
                "Timeout": 30,
                "Role": {"Fn::GetAtt": [role, "Arn"]},
                "Code": {"S3Bucket": BUCKET, "S3Key": code_key},
                "Environment": {"Variables": {
                    "SECRETS_MANAGER_ENDPOINT": {"Ref": "endpoint"},
                    "EXCLUDE_CHARACTERS": {"Ref": "excludeCharacters"},
                }},
                "VpcConfig": {"Fn::If": ["AddVpcConfig", {
                    "SubnetIds": {"Ref": "vpcSubnetIds"}, "SecurityGroupIds": {"Ref": "vpcSecurityGroupIds"},
                }, {"Ref": "AWS::NoValue"}]},
                "Tags": [{"Key": "lambda:createdBy", "Value": "SAM"}],
            },
        },
        # The application grants the invoke itself (no SourceAccount: whether
        # the real one scopes it is unconfirmed, and rotctl adds its own scoped one).
        "LambdaPermission": {
            "Type": "AWS::Lambda::Permission",
            "DependsOn": function,
            "Properties": {
                "FunctionName": {"Ref": "functionName"},
                "Action": "lambda:InvokeFunction",
                "Principal": {"Ref": "invokingServicePrincipal"},
            },
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": app.description,
        "Parameters": _parameters(app),
        "Conditions": conditions,
        "Resources": resources,
        "Outputs": {"RotationLambdaARN": {"Description": "The ARN of the rotation lambda",
                                          "Value": {"Fn::GetAtt": [function, "Arn"]}}},
    }


def parameter_definitions(app: Application) -> list[dict[str, Any]]:
    template = application_template(app, app.versions[-1], "")
    definitions = []
    for name, spec in template["Parameters"].items():
        definition = {
            "name": name, "type": spec["Type"], "description": spec.get("Description", ""),
            "noEcho": False,
            "referencedByResources": sorted(
                logical for logical, resource in template["Resources"].items()
                if name in _references(resource)
            ),
        }
        if "Default" in spec:
            definition["defaultValue"] = spec["Default"]
        definitions.append(definition)
    return definitions


# ---------------------------------------------------------------------------
# The store: templates made for an account, and what CloudFormation reads
# ---------------------------------------------------------------------------

LOCK = threading.Lock()
TEMPLATES: dict[str, dict[str, Any]] = {}  # template id -> record
BY_URL: dict[str, str] = {}  # template URL -> template id
CODE_KEYS: dict[str, tuple[str, str]] = {}  # code key -> (engine, strategy)
CODE: dict[tuple[str, str], bytes] = {}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def create_template(account_id: str, region: str, application_id: str, version: str | None) -> dict[str, Any]:
    """CreateCloudFormationTemplate: SAR copies the application's template and
    code for the account and answers with the template's (pre-signed) URL."""
    app, version = find(application_id, region, version)
    template_id = str(uuid.uuid4())
    now = datetime.now(timezone.utc)
    prefix = f"{account_id}/{application_id.replace('/', '-')}-versions-{version}/{template_id}"
    code_key = f"{prefix}/{app.name}.zip"
    url = f"https://{BUCKET}.s3.{region}.amazonaws.com/{prefix}/template.json"
    record = {
        "applicationId": application_id, "semanticVersion": version, "templateId": template_id,
        "templateUrl": url, "status": "ACTIVE",
        "creationTime": _stamp(now), "expirationTime": _stamp(now + TEMPLATE_LIFETIME),
        "_account": account_id, "_region": region,
        "_body": json.dumps(application_template(app, version, code_key), indent=2),
    }
    with LOCK:
        TEMPLATES[template_id] = record
        BY_URL[url] = template_id
        CODE_KEYS[code_key] = (app.engine, app.strategy)
    return public(record)


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def get_template(account_id: str, application_id: str, template_id: str) -> dict[str, Any]:
    record = TEMPLATES.get(template_id)
    if record is None or record["_account"] != account_id or record["applicationId"] != application_id:
        raise SarError(404, "NotFoundException", f"Cannot find template with id: {template_id}")
    return public(record)


def template_at(url: str) -> str | None:
    """The template body at a URL SAR handed out (None: not one of SAR's)."""
    template_id = BY_URL.get(url.split("?", 1)[0])
    return TEMPLATES[template_id]["_body"] if template_id else None


def code_at(bucket: str, key: str) -> bytes | None:
    """The application's code at bucket/key in SAR's change-set bucket (None: not SAR's)."""
    if bucket != BUCKET or key not in CODE_KEYS:
        return None
    engine, strategy = CODE_KEYS[key]
    with LOCK:
        if (engine, strategy) not in CODE:
            # Imported here: functions.py holds the rotation functions' code.
            from .functions import rotation_function_zip

            CODE[(engine, strategy)] = rotation_function_zip(engine, strategy)
        return CODE[(engine, strategy)]


def get_application(region: str, application_id: str, version: str | None) -> dict[str, Any]:
    app, version = find(application_id, region, version)
    arn = application_arn(app, region)
    return {
        "applicationId": arn, "name": app.name, "author": "AWS", "description": app.description,
        "creationTime": PUBLISHED, "homePageUrl": SOURCE_CODE_URL, "isVerifiedAuthor": True,
        "labels": ["SecretsManager", "rotation"], "spdxLicenseId": "MIT-0",
        "version": {
            "applicationId": arn, "semanticVersion": version, "creationTime": PUBLISHED,
            "parameterDefinitions": parameter_definitions(app),
            "requiredCapabilities": REQUIRED_CAPABILITIES, "resourcesSupported": True,
            "sourceCodeUrl": SOURCE_CODE_URL,
            "templateUrl": f"https://{BUCKET}.s3.amazonaws.com/{app.name}/{version}/template.yaml",
        },
    }


def list_versions(region: str, application_id: str) -> dict[str, Any]:
    app, _ = find(application_id, region)
    arn = application_arn(app, region)
    return {"versions": [{"applicationId": arn, "semanticVersion": v, "creationTime": PUBLISHED,
                          "sourceCodeUrl": SOURCE_CODE_URL} for v in app.versions]}


def create_change_set(account_id: str, region: str, application_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """CreateCloudFormationChangeSet: the application's template as a change set
    on stack serverlessrepo-<StackName>, tagged with the application and version."""
    from moto.cloudformation import models as cfn_models

    if not body.get("stackName"):
        raise SarError(400, "BadRequestException", "stackName is required")
    if body.get("templateId"):
        record = get_template(account_id, application_id, body["templateId"])
    else:
        record = create_template(account_id, region, application_id, body.get("semanticVersion"))
    missing = [c for c in REQUIRED_CAPABILITIES if c not in (body.get("capabilities") or [])]
    if missing:
        raise SarError(400, "BadRequestException",
                       f"Requires capabilities : [{', '.join(REQUIRED_CAPABILITIES)}]")
    backend = cfn_models.cloudformation_backends[account_id][region]
    stack_name = f"serverlessrepo-{body['stackName']}"
    existing = any(s.name == stack_name and s.status != "REVIEW_IN_PROGRESS" for s in backend.stacks.values())
    tags = {t["key"]: t["value"] for t in body.get("tags") or []}
    tags.update({"serverlessrepo:applicationId": record["applicationId"],
                 "serverlessrepo:semanticVersion": record["semanticVersion"]})
    change_set_id, stack_id = backend.create_change_set(
        stack_name=stack_name,
        change_set_name=body.get("changeSetName") or f"a{uuid.uuid4().hex}",
        template=TEMPLATES[record["templateId"]]["_body"],
        parameters={p["name"]: p["value"] for p in body.get("parameterOverrides") or []},
        description=body.get("description") or "",
        change_set_type="UPDATE" if existing else "CREATE",
        notification_arns=body.get("notificationArns") or [],
        tags=tags,
    )
    stack = backend.stacks[stack_id]
    stack.tags = dict(stack.tags or {}, **tags)
    return {"applicationId": record["applicationId"], "changeSetId": change_set_id,
            "semanticVersion": record["semanticVersion"], "stackId": stack_id}


# ---------------------------------------------------------------------------
# The service's REST-JSON endpoint
# ---------------------------------------------------------------------------

CREDENTIAL = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/aws4_request")


def _account_of(access_key: str) -> str:
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


def _route(method: str, path: str) -> tuple[str, str, str | None]:
    """(operation, application id, template id) for a request path. The
    application id is an ARN with a slash; it arrives encoded as %2F, which the
    server may already have decoded."""
    match = re.fullmatch(r"/applications/(arn(?::[^:/]*){4}:applications/[^/]+|[^/]+)(/[a-z]+)?(/[^/]+)?/?", path)
    if not match:
        return "", "", None
    application_id, tail, template_id = unquote(match.group(1)), match.group(2), match.group(3)
    routes = {("GET", None): "GetApplication", ("GET", "/versions"): "ListApplicationVersions",
              ("POST", "/templates"): "CreateCloudFormationTemplate",
              ("POST", "/changesets"): "CreateCloudFormationChangeSet"}
    if tail == "/templates" and template_id and method == "GET":
        return "GetCloudFormationTemplate", application_id, unquote(template_id[1:])
    if template_id:
        return "", "", None
    return routes.get((method, tail), ""), application_id, None


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The Serverless Application Repository's REST-JSON API."""
    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    access_key, region = (match.group(1), match.group(2)) if match else ("AKIAEXAMPLE", "us-east-1")
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
    path = raw.split("?", 1)[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].split("/", 1)[-1]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    operation, application_id, template_id = _route(environ.get("REQUEST_METHOD", "GET"), path)
    status, answer = 200, {}
    try:
        account_id = _account_of(access_key)
        with STATE:
            if operation == "GetApplication":
                answer = get_application(region, application_id, query.get("semanticVersion"))
            elif operation == "ListApplicationVersions":
                answer = list_versions(region, application_id)
            elif operation == "CreateCloudFormationTemplate":
                status, answer = 201, create_template(account_id, region, application_id, body.get("semanticVersion"))
            elif operation == "GetCloudFormationTemplate":
                answer = get_template(account_id, application_id, template_id or "")
            elif operation == "CreateCloudFormationChangeSet":
                status, answer = 201, create_change_set(account_id, region, application_id, body)
            else:
                raise SarError(404, "NotFoundException", f"the emulator serves no {environ.get('REQUEST_METHOD')} {path}")
        headers = [("Content-Type", "application/json")]
    except SarError as error:
        status, answer = error.status, {"errorCode": error.code, "message": error.message}
        headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)]
    data = json.dumps(answer).encode()
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}
    headers += [("x-amzn-RequestId", str(uuid.uuid4())), ("Content-Length", str(len(data)))]
    start_response(f"{status} {reasons.get(status, 'Error')}", headers)
    return [data]


_original_get_application = DomainDispatcherApplication.get_application


def get_backend_application(self: Any, environ: dict[str, Any]) -> Any:
    # AWS has the Serverless Application Repository; moto 5.2.5 has no backend
    # for requests signed for `serverlessrepo`, so they are served here.
    match = CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if match and match.group(3) == "serverlessrepo":
        return app
    return _original_get_application(self, environ)


def apply() -> None:
    """Routes the Serverless Application Repository to this module."""
    DomainDispatcherApplication.get_application = get_backend_application
