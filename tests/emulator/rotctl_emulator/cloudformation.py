"""CloudFormation: change sets as AWS runs them, the Serverless transform,
nested stacks, and failed deployments.

moto 5.2.5 leaves a stack created or updated from a change set without its
template's Outputs (rotctl reads the rotation function's ARN from them),
accepts a second change set of the same name on a stack, and makes a second
stack of the same name for a CREATE change set while the first is still in
REVIEW_IN_PROGRESS. It knows nothing of the AWS::Serverless-2016-10-31
transform, so a template with an AWS::Serverless::Application (what
`rotctl enable --template` deploys) left an output it cannot resolve, and
DescribeStacks then failed (HTTP 500) for every stack. Its nested stacks are
replaced rather than updated, cannot be read through Fn::GetAtt Outputs.X,
and a resource that fails to create makes ExecuteChangeSet itself fail
instead of rolling the stack back with events that say why. Its
AWS::Lambda::Function ignores Tags and replaces a function of the same name,
and its AWS::Lambda::Permission puts FunctionName into the policy and is
never removed.

The corrections below restore AWS's behaviour, each with a comment naming
it: the transform expands an AWS::Serverless::Application into an
AWS::CloudFormation::Stack from the Serverless Application Repository
(serverlessrepo.py); nested stacks are created and updated in place, named
and linked as AWS does; every resource reports its events; a failed resource
rolls its stack back (ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE) and its
parent's. apply() installs them.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from typing import Any

from moto.awslambda import models as lambda_models
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import AlreadyExistsException as CfnAlreadyExists
from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.exceptions import ValidationError as CfnValidationError
from moto.cloudformation.utils import generate_stack_id, get_stack_from_s3_url
from moto.core.common_models import CloudFormationModel
from moto.core.responses import ActionResult, EmptyResult
from moto.ec2 import models as ec2_models
from moto.iam import models as iam_models
from moto.utilities.utils import get_partition

from . import serverlessrepo

SERVERLESS = "AWS::Serverless-2016-10-31"
EMPTY_TEMPLATE = '{"Resources": {}}'


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


class ResourceFailed(Exception):
    """A resource of a stack failed; its event is recorded, the stack rolls back."""

    def __init__(self, logical_id: str, action: str, reason: str):
        super().__init__(reason)
        self.logical_id, self.action, self.reason = logical_id, action, reason


class ResourceRefused(Exception):
    """A resource handler's refusal, worded as the stack event reports it
    (physical_id: the resource's, when it got one, e.g. a nested stack's ARN)."""

    def __init__(self, message: str, physical_id: str = ""):
        super().__init__(message)
        self.physical_id = physical_id


def handler_message(service: str, status: int, message: str, code: str) -> str:
    # AWS: a resource handler's failure in a stack event.
    return (f'Resource handler returned message: "{message} (Service: {service}, Status Code: {status}, '
            f'Request ID: {uuid.uuid4()})" (RequestToken: {uuid.uuid4()}, HandlerErrorCode: {code})')


def _reason(error: Exception) -> str:
    if isinstance(error, (ResourceRefused, ResourceFailed)):
        return str(error)
    message = getattr(error, "message", None) or getattr(error, "description", None) or str(error)
    return str(message)


# ---------------------------------------------------------------------------
# Resource events, and a failed resource
# ---------------------------------------------------------------------------


def _stack_of(resource_map: Any) -> Any:
    return getattr(resource_map, "_rotctl_stack", None)


def _resource_event(stack: Any, logical_id: str, resource_type: str, status: str, physical_id: str = "",
                    reason: str | None = None) -> None:
    # AWS: every resource reports its progress in the stack's events.
    if stack is None:
        return
    event = cfn_models.Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id=physical_id, resource_type=resource_type, resource_status=status,
        resource_status_reason=reason, resource_properties=None,
    )
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _physical_id(resource: Any) -> str:
    value = getattr(resource, "physical_resource_id", "")
    return value if isinstance(value, str) else ""


def _dependencies(value: Any) -> set[str]:
    """The logical ids a resource's JSON refers to (Ref, Fn::GetAtt, Fn::Sub, DependsOn)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) and item else str(item).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = item[0] if isinstance(item, list) else item
                if isinstance(text, str):
                    found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                found |= _dependencies(item[1] if isinstance(item, list) and len(item) > 1 else None)
            elif key == "DependsOn":
                found |= {item} if isinstance(item, str) else set(item or [])
            else:
                found |= _dependencies(item)
    elif isinstance(value, list):
        for item in value:
            found |= _dependencies(item)
    return found


_original_parse_and_create_resource = cfn_parsing.parse_and_create_resource


def parse_and_create_resource(logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str,
                              region_name: str) -> Any:
    # AWS creates what a resource refers to first, reports each resource's
    # CREATE_IN_PROGRESS / CREATE_COMPLETE / CREATE_FAILED with the reason, and
    # fails the stack operation on the first failed resource; moto raises the
    # error out of the API call.
    stack = _stack_of(resources_map)
    failed = getattr(resources_map, "_rotctl_failed", {})
    if logical_id in failed:
        raise failed[logical_id]
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return None
    for dependency in sorted(_dependencies(resource_json) - {logical_id}):
        if dependency in resources_map._resource_json_map and dependency not in resources_map._parsed_resources:
            resources_map[dependency]
    resource_type = resource_json.get("Type", "")
    _resource_event(stack, logical_id, resource_type, "CREATE_IN_PROGRESS")
    try:
        resource = _original_parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
    except ResourceFailed:
        raise
    except Exception as error:  # noqa: BLE001 - any error of a resource is that resource's failure
        reason = _reason(error)
        _resource_event(stack, logical_id, resource_type, "CREATE_FAILED", getattr(error, "physical_id", ""), reason)
        failure = ResourceFailed(logical_id, "create", reason)
        if hasattr(resources_map, "_rotctl_failed"):
            resources_map._rotctl_failed[logical_id] = failure
        raise failure from error
    if resource is None and resource_type not in cfn_parsing.NULL_MODELS:
        # moto skips a type it does not know: AWS would have created it.
        _resource_event(stack, logical_id, resource_type, "CREATE_COMPLETE",
                        reason="the rotctl emulator does not create this resource type")
    else:
        _resource_event(stack, logical_id, resource_type, "CREATE_COMPLETE", _physical_id(resource))
    return resource


_original_parse_and_update_resource = cfn_parsing.parse_and_update_resource


def parse_and_update_resource(logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str,
                              region_name: str) -> Any:
    # AWS reports UPDATE_IN_PROGRESS / UPDATE_COMPLETE / UPDATE_FAILED, and
    # does not retry a failed update (moto's update loop tries five times).
    stack = _stack_of(resources_map)
    failed = getattr(resources_map, "_rotctl_failed", {})
    if logical_id in failed:
        raise failed[logical_id]
    resource_type = resource_json.get("Type", "")
    physical = _physical_id(resources_map._parsed_resources.get(logical_id))
    _resource_event(stack, logical_id, resource_type, "UPDATE_IN_PROGRESS", physical)
    try:
        resource = _original_parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    except Exception as error:  # noqa: BLE001 - any error of a resource is that resource's failure
        reason = _reason(error)
        _resource_event(stack, logical_id, resource_type, "UPDATE_FAILED", getattr(error, "physical_id", "") or physical,
                        reason)
        failure = ResourceFailed(logical_id, "update", reason)
        failed[logical_id] = failure
        raise failure from error
    if resource is None:
        # moto cannot update this type in place: keep the resource it has.
        resource = resources_map._parsed_resources.get(logical_id)
    _resource_event(stack, logical_id, resource_type, "UPDATE_COMPLETE", _physical_id(resource))
    return resource


_original_delete_resource = cfn_parsing.ResourceMap._delete_resource


def delete_resource(self: Any, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    # AWS reports DELETE_IN_PROGRESS / DELETE_COMPLETE for each resource.
    stack = _stack_of(self)
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    resource_type = resource_json.get("Type", "")
    physical = _physical_id(parsed_resource)
    _resource_event(stack, logical_id, resource_type, "DELETE_IN_PROGRESS", physical)
    try:
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception as error:
        _resource_event(stack, logical_id, resource_type, "DELETE_FAILED", physical, _reason(error))
        raise
    _resource_event(stack, logical_id, resource_type, "DELETE_COMPLETE", physical)


_original_resource_map_update = cfn_parsing.ResourceMap.update


def resource_map_update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    self._rotctl_failed = {}
    try:
        _original_resource_map_update(self, template, parameters)
    finally:
        self._rotctl_failed = {}


_original_resource_map_create = cfn_parsing.ResourceMap.create


def resource_map_create(self: Any, template: dict[str, Any]) -> bool:
    self._rotctl_failed = {}
    try:
        return _original_resource_map_create(self, template)
    finally:
        self._rotctl_failed = {}


_original_build_resource_diff = cfn_parsing.ResourceMap.build_resource_diff


def build_resource_diff(self: Any, other_template: dict[str, Any], parameters: dict[str, Any] | None = None) -> dict:
    # AWS: a parameter left out of an update takes its default, which changes
    # the resources that use it; moto only compares the parameters given.
    diff = _original_build_resource_diff(self, other_template, parameters)
    if parameters is not None:
        old = self.input_parameters or {}
        changed = {p for p in set(old) | set(parameters) if old.get(p) != parameters.get(p)}
        for name, resource in other_template.get("Resources", {}).items():
            if name in self._resource_json_map and name not in diff["Modify"] and name not in diff["Add"]:
                if changed & set(cfn_parsing.get_references_from_template(resource)):
                    diff["Modify"].append(name)
    return diff


_original_clean_json = cfn_parsing.clean_json


def clean_json(resource_json: Any, resources_map: Any) -> Any:
    # AWS: Ref AWS::NoValue in a list (e.g. Fn::If in a role's Policies)
    # removes the element; moto leaves a null there.
    cleaned = _original_clean_json(resource_json, resources_map)
    if isinstance(resource_json, list) and isinstance(cleaned, list):
        return [item for item in cleaned if item is not None]
    return cleaned


_original_generate_resource_name = cfn_parsing.generate_resource_name


def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
    name = _original_generate_resource_name(resource_type, stack_name, logical_id)
    limits = {"AWS::IAM::Role": 64, "AWS::Lambda::Function": 64, "AWS::Lambda::Permission": 100,
              "AWS::CloudFormation::Stack": 128}
    limit = limits.get(resource_type)
    if limit and len(name) > limit:
        # AWS shortens the stack name and logical id in a generated name to
        # fit the resource's limit (64 for roles and functions, 128 for stacks).
        suffix = name.rsplit("-", 1)[-1]
        room = limit - len(suffix) - 2
        logical_part = logical_id[: max(room // 2, room - len(stack_name))]
        stack_part = stack_name[: room - len(logical_part)]
        name = f"{stack_part}-{logical_part}-{suffix}"
    return name


# ---------------------------------------------------------------------------
# Stacks: nested stacks, outputs that never break DescribeStacks
# ---------------------------------------------------------------------------

_original_create_resource_map = cfn_models.Stack._create_resource_map


def create_resource_map(self: Any) -> Any:
    resource_map = _original_create_resource_map(self)
    resource_map._rotctl_stack = self
    return resource_map


def stack_outputs(self: Any) -> list[dict[str, Any]] | None:
    # AWS never lists an output it could not resolve (it would have failed the
    # stack); moto raised out of DescribeStacks, which then failed with HTTP
    # 500 for every stack.
    exports = stack_exports(self)
    outputs = []
    for key in list(self.output_map.outputs):
        try:
            output = self.output_map[key]
        except Exception:  # noqa: BLE001 - unresolvable: not shown
            continue
        if output is None:
            continue
        value = output.value
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, (str, int, float)):
            continue
        outputs.append({
            "OutputKey": output.key, "OutputValue": str(value), "Description": output.description,
            "ExportName": next((e.name for e in exports if e.value == output.value), None),
        })
    return outputs or None


def stack_exports(self: Any) -> list[Any]:
    try:
        return self.output_map.exports
    except Exception:  # noqa: BLE001 - see stack_outputs
        return []


def stack_resources(self: Any) -> list[Any]:
    # AWS lists the resources a stack has; moto's lazy map created every
    # resource it had not yet (after a rollback: the failed one, again).
    resource_map = self.resource_map
    return [resource for logical_id, resource in list(resource_map._parsed_resources.items())
            if logical_id in resource_map._resource_json_map and isinstance(resource, CloudFormationModel)]


def stack_get_cfn_attribute(self: Any, attribute_name: str) -> Any:
    # AWS: Fn::GetAtt [NestedStack, Outputs.Name] is the nested stack's output.
    if attribute_name.startswith("Outputs."):
        key = attribute_name.split(".", 1)[1]
        for output in stack_outputs(self) or []:
            if output["OutputKey"] == key:
                return output["OutputValue"]
        raise CfnValidationError(message=f"Stack {self.stack_id} has no output {key}")
    raise NotImplementedError(f"Fn::GetAtt {attribute_name} of a nested stack")


def stack_physical_resource_id(self: Any) -> str:
    # AWS: a nested stack's physical id (and Ref) is its stack id.
    return self.stack_id


def _empty_outputs(stack: Any) -> None:
    stack.output_map = cfn_parsing.OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)


def template_at(url: str, account_id: str, region_name: str) -> str:
    """A nested stack's TemplateURL: the Serverless Application Repository's, or S3."""
    body = serverlessrepo.template_at(url)
    if body is not None:
        return body
    return get_stack_from_s3_url(url, account_id=account_id, partition=get_partition(region_name))


def _nested_inputs(properties: dict[str, Any], parent: Any, account_id: str, region_name: str) -> tuple:
    body = template_at(properties["TemplateURL"], account_id, region_name)
    parameters = {}
    for key, value in (properties.get("Parameters") or {}).items():
        parameters[key] = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
    tags = dict(parent.tags or {}) if parent is not None else {}
    # AWS: the parent's stack-level tags and the resource's Tags go to the nested stack.
    tags.update({t["Key"]: t["Value"] for t in properties.get("Tags") or []})
    declared = cfn_models.Stack.parse_template(body).get("Parameters") or {}
    # AWS validates a nested stack's parameters against its template.
    unknown = [key for key in parameters if key not in declared]
    if unknown:
        raise ResourceRefused(f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    missing = [key for key, spec in declared.items() if "Default" not in spec and key not in parameters]
    if missing:
        raise ResourceRefused(f"Parameters: [{', '.join(missing)}] must have values")
    return body, parameters, tags


def nested_stack_create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                        region_name: str, **kwargs: Any) -> Any:
    # AWS creates a nested stack named <parent>-<LogicalId>-<random>, with
    # ParentId and RootId, the parent's tags, and its own events; a resource
    # that fails leaves it CREATE_FAILED and fails the parent's resource with
    # "Embedded stack ... was not successfully created".
    backend = cfn_models.cloudformation_backends[account_id][region_name]
    parent = backend.stacks.get(kwargs.get("StackId", ""))
    properties = cloudformation_json["Properties"]
    body, parameters, tags = _nested_inputs(properties, parent, account_id, region_name)
    stack_id = generate_stack_id(resource_name, region_name, account_id)
    stack = cfn_models.Stack(
        stack_id=stack_id, name=resource_name, template=body, parameters=parameters, account_id=account_id,
        region_name=region_name, notification_arns=properties.get("NotificationARNs") or [], tags=tags,
        cross_stack_resources=backend.exports, timeout_in_mins=properties.get("TimeoutInMinutes"),
    )
    if parent is not None:
        stack.parent_id = parent.stack_id
        stack.root_id = getattr(parent, "root_id", None) or parent.stack_id
    backend.stacks[stack_id] = stack
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.create_resources()
    except ResourceFailed as failure:
        reason = f"The following resource(s) failed to create: [{failure.logical_id}]. "
        stack.status = "CREATE_FAILED"
        stack._add_stack_event("CREATE_FAILED", resource_status_reason=reason)
        raise ResourceRefused(f"Embedded stack {stack_id} was not successfully created: {reason}", stack_id) from failure
    for export in stack.exports:
        backend.exports[export.name] = export
    return stack


def _snapshot(stack: Any) -> dict[str, Any]:
    resource_map = stack.resource_map
    return {
        "template": stack.template, "original": getattr(stack, "original_template", None),
        "parameters": stack.parameters, "map_template": resource_map._template,
        "map_json": resource_map._resource_json_map, "map_input": resource_map.input_parameters,
        "map_resolved": dict(resource_map.resolved_parameters), "parsed": set(resource_map._parsed_resources),
    }


def _restore(stack: Any, snapshot: dict[str, Any]) -> None:
    """Puts a stack back as it was before an update that failed: what the
    update added is deleted, the previous template and parameters apply."""
    resource_map = stack.resource_map
    for logical_id in set(resource_map._parsed_resources) - snapshot["parsed"]:
        resource = resource_map._parsed_resources.pop(logical_id)
        if isinstance(resource, CloudFormationModel) and logical_id in resource_map._resource_json_map:
            try:
                resource_map._delete_resource(resource, resource_map._resource_json_map[logical_id])
            except Exception:  # noqa: BLE001 - best effort, as a rollback cleanup
                pass
    resource_map._template = snapshot["map_template"]
    resource_map._resource_json_map = snapshot["map_json"]
    resource_map.input_parameters = snapshot["map_input"]
    resource_map.resolved_parameters = snapshot["map_resolved"]
    resource_map._parsed_resources.update(snapshot["map_resolved"])
    resource_map.load_conditions()
    stack.template, stack.parameters = snapshot["template"], snapshot["parameters"]
    stack.original_template = snapshot["original"]
    stack._parse_template()


def nested_stack_update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                        account_id: str, region_name: str) -> Any:
    # AWS updates a nested stack in place (same stack id, its resources
    # updated, not replaced); moto deleted it and made a new one. A resource
    # that fails rolls the nested stack back and fails the parent's resource.
    stack = original_resource
    backend = cfn_models.cloudformation_backends[account_id][region_name]
    parent = backend.stacks.get(getattr(stack, "parent_id", ""))
    body, parameters, tags = _nested_inputs(cloudformation_json["Properties"], parent, account_id, region_name)
    snapshot = _snapshot(stack)
    stack._add_stack_event("UPDATE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = "UPDATE_IN_PROGRESS"
    try:
        stack.resource_map.update(cfn_models.Stack.parse_template(body), parameters)
    except ResourceFailed as failure:
        reason = f"The following resource(s) failed to {failure.action}: [{failure.logical_id}]. "
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
        _restore(stack, snapshot)
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        raise ResourceRefused(
            f"Embedded stack {stack.stack_id} was not successfully updated. Currently in "
            f"UPDATE_ROLLBACK_IN_PROGRESS with reason: {reason}", stack.stack_id
        ) from failure
    stack.template, stack.parameters, stack.tags = body, parameters, tags
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stack._add_stack_event("UPDATE_COMPLETE")
    stack.status = "UPDATE_COMPLETE"
    return stack


# ---------------------------------------------------------------------------
# Lambda and IAM resources as CloudFormation creates them
# ---------------------------------------------------------------------------

FUNCTION_NAME = re.compile(r"[a-zA-Z0-9_-]+")


def _function_owner(account_id: str, region_name: str, name: str) -> str | None:
    """The stack that created the function called `name`, if one did."""
    backend = cfn_models.cloudformation_backends[account_id][region_name]
    for stack in backend.stacks.values():
        for resource in stack.resource_map._parsed_resources.values():
            if isinstance(resource, lambda_models.LambdaFunction) and resource.function_name == name:
                return stack.stack_id
    return None


def _check_network(account_id: str, region_name: str, vpc_config: dict[str, Any] | None) -> None:
    # AWS Lambda refuses subnets and security groups that do not exist.
    if not vpc_config:
        return
    ec2 = ec2_models.ec2_backends[account_id][region_name]
    for subnet_id in vpc_config.get("SubnetIds") or []:
        try:
            ec2.get_subnet(subnet_id)
        except Exception:  # noqa: BLE001 - moto's InvalidSubnetIdError
            raise ResourceRefused(handler_message(
                "Lambda", 400, f"Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. "
                f"EC2 Error Message: The subnet ID '{subnet_id}' does not exist", "InvalidRequest")) from None
    for group_id in vpc_config.get("SecurityGroupIds") or []:
        if ec2.get_security_group_from_id(group_id) is None:
            raise ResourceRefused(handler_message(
                "Lambda", 400, f"Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. "
                f"EC2 Error Message: The security group '{group_id}' does not exist", "InvalidRequest"))


def _function_code(cls: Any, code: dict[str, Any]) -> dict[str, Any]:
    code = dict(code)
    if "ZipFile" in code:
        # CloudFormation's inline ZipFile is the code's text (moto's conversion).
        code["ZipFile"] = base64.b64encode(cls._create_zipfile_from_plaintext_code(code["ZipFile"]))
    elif "S3Bucket" in code and "S3Key" in code:
        archive = serverlessrepo.code_at(code["S3Bucket"], code["S3Key"])
        if archive is not None:
            # The application's code, in the bucket SAR copied it to.
            code = {"ZipFile": base64.b64encode(archive)}
    return code


def _function_tags(account_id: str, region_name: str, kwargs: dict[str, Any], properties: dict[str, Any]) -> dict:
    # AWS: a function gets its stack's tags, the aws:cloudformation:* tags and its own Tags.
    backend = cfn_models.cloudformation_backends[account_id][region_name]
    stack = backend.stacks.get(kwargs.get("StackId", ""))
    tags: dict[str, str] = {}
    if stack is not None:
        tags.update(stack.tags or {})
        tags.update({"aws:cloudformation:stack-name": stack.name, "aws:cloudformation:stack-id": stack.stack_id,
                     "aws:cloudformation:logical-id": kwargs.get("LogicalId", "")})
    tags.update({t["Key"]: t["Value"] for t in properties.get("Tags") or []})
    return tags


def lambda_create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                  region_name: str, **kwargs: Any) -> Any:
    # AWS: CloudFormation validates FunctionName (1-64 of [a-zA-Z0-9-_]),
    # refuses a name already taken (moto replaced that function), refuses
    # subnets and security groups that do not exist, and tags the function.
    properties = cloudformation_json["Properties"]
    logical_id = kwargs.get("LogicalId", resource_name)
    if len(resource_name) > 64:
        raise ResourceRefused(f"Properties validation failed for resource {logical_id} with message: "
                              f"#/FunctionName: expected maxLength: 64, actual: {len(resource_name)}")
    if not FUNCTION_NAME.fullmatch(resource_name):
        raise ResourceRefused(f"Properties validation failed for resource {logical_id} with message: "
                              f"#/FunctionName: failed validation constraint for keyword [pattern]")
    backend = lambda_models.lambda_backends[account_id][region_name]
    if resource_name in backend._lambdas._functions:
        owner = _function_owner(account_id, region_name, resource_name)
        if owner:
            raise ResourceRefused(f"{resource_name} already exists in stack {owner}")
        raise ResourceRefused(handler_message("Lambda", 409, f"Function already exist: {resource_name}", "AlreadyExists"))
    _check_network(account_id, region_name, properties.get("VpcConfig"))
    spec: dict[str, Any] = {
        "Code": _function_code(cls, properties["Code"]), "FunctionName": resource_name,
        "Handler": properties.get("Handler"), "Role": properties["Role"], "Runtime": properties.get("Runtime"),
        "Tags": _function_tags(account_id, region_name, kwargs, properties),
    }
    for prop in ("Description", "MemorySize", "Publish", "Timeout", "VpcConfig", "Environment",
                 "ReservedConcurrentExecutions", "Architectures", "EphemeralStorage", "TracingConfig"):
        if prop in properties:
            spec[prop] = properties[prop]
    if "KmsKeyArn" in properties:
        spec["KMSKeyArn"] = properties["KmsKeyArn"]
    return backend.create_function(spec)


def lambda_update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any],
                  account_id: str, region_name: str) -> Any:
    # AWS: a changed FunctionName replaces the function; otherwise its
    # configuration (a removed VpcConfig or Environment too) and code are
    # updated, and CloudFormation waits for the update to finish.
    properties = cloudformation_json["Properties"]
    if new_resource_name != original_resource.function_name:
        replacement = lambda_create(cls, new_resource_name, cloudformation_json, account_id, region_name)
        replacement.tags = dict(original_resource.tags)
        original_resource.delete(account_id, region_name)
        return replacement
    _check_network(account_id, region_name, properties.get("VpcConfig"))
    updates = {k: properties[k] for k in ("Description", "Handler", "MemorySize", "Role", "Runtime", "Timeout")
               if k in properties}
    updates["Environment"] = properties.get("Environment") or {"Variables": {}}
    updates["VpcConfig"] = properties.get("VpcConfig") or {"SubnetIds": [], "SecurityGroupIds": []}
    original_resource.update_configuration(updates)
    code = _function_code(cls, properties["Code"])
    if "ZipFile" in code and base64.b64decode(code["ZipFile"]) != original_resource.code_bytes:
        original_resource.update_function_code(code)
    original_resource.tags.update({t["Key"]: t["Value"] for t in properties.get("Tags") or []})
    original_resource.update_settles_at = 0
    return original_resource


def permission_create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                      region_name: str, **kwargs: Any) -> Any:
    # AWS: the statement's id is the permission's physical id, and the policy
    # holds a statement (moto copied FunctionName into it).
    properties = cloudformation_json["Properties"]
    backend = lambda_models.lambda_backends[account_id][region_name]
    function = backend.get_function(properties["FunctionName"])
    statement = {k: v for k, v in properties.items()
                 if k in ("Action", "Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "EventSourceToken")}
    statement["StatementId"] = resource_name[:100]
    function.policy.add_statement(json.dumps(statement))
    permission = lambda_models.Permission(region=region_name)
    permission.function_name, permission.physical_resource_id = function.function_name, statement["StatementId"]
    permission.account_id = account_id
    return permission


def permission_update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any],
                      account_id: str, region_name: str) -> Any:
    # AWS replaces a changed permission: the new statement, then the old one removed.
    replacement = permission_create(cls, new_resource_name, cloudformation_json, account_id, region_name)
    permission_delete(original_resource, account_id, region_name)
    return replacement


def permission_delete(self: Any, account_id: str, region: str) -> None:
    # AWS removes the statement when the permission is deleted; moto left it.
    try:
        function = lambda_models.lambda_backends[account_id][region].get_function(self.function_name)
        function.policy.del_statement(self.physical_resource_id)
    except Exception:  # noqa: BLE001 - the function or statement is gone already
        pass


def _role_json(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    cloudformation_json = copy.deepcopy(cloudformation_json)
    properties = cloudformation_json["Properties"]
    for policy in properties.get("Policies") or []:
        if not isinstance(policy["PolicyDocument"], str):
            policy["PolicyDocument"] = json.dumps(policy["PolicyDocument"])
    return cloudformation_json


_original_role_create = iam_models.Role.create_from_cloudformation_json.__func__
_original_role_update = iam_models.Role.update_from_cloudformation_json.__func__


def role_create(cls: Any, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
                region_name: str, **kwargs: Any) -> Any:
    # AWS keeps inline policies as JSON documents (moto stored the dict).
    return _original_role_create(cls, resource_name, _role_json(cloudformation_json), account_id, region_name, **kwargs)


def role_update(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any],
                account_id: str, region_name: str) -> Any:
    # AWS updates a role's inline policies too (moto only its description).
    cloudformation_json = _role_json(cloudformation_json)
    role = _original_role_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    wanted = {p["PolicyName"]: p["PolicyDocument"] for p in cloudformation_json["Properties"].get("Policies") or []}
    for name in list(role.policies):
        if name not in wanted:
            role.delete_policy(name)
    for name, document in wanted.items():
        role.put_policy(name, document)
    return role


# ---------------------------------------------------------------------------
# The AWS::Serverless-2016-10-31 transform
# ---------------------------------------------------------------------------


def expand(account_id: str, region_name: str, template: str) -> tuple[str | None, str | None]:
    """The template as the Serverless transform processes it: (processed
    template, None), (None, the transform's failure), or (None, None) when the
    template has no Serverless transform."""
    try:
        body = cfn_models.Stack.parse_template(template)
    except Exception:  # noqa: BLE001 - not a template: moto says so later
        return None, None
    if not isinstance(body, dict):
        return None, None
    transforms = body.get("Transform")
    transforms = [transforms] if isinstance(transforms, str) else list(transforms or [])
    if SERVERLESS not in transforms:
        return None, None
    processed = copy.deepcopy(body)
    rest = [t for t in transforms if t != SERVERLESS]
    if rest:
        processed["Transform"] = rest if len(rest) > 1 else rest[0]
    else:
        processed.pop("Transform")
    errors = []
    for logical_id, resource in (body.get("Resources") or {}).items():
        resource_type = resource.get("Type", "") if isinstance(resource, dict) else ""
        if resource_type == "AWS::Serverless::Application":
            try:
                processed["Resources"][logical_id] = _application_stack(account_id, region_name, logical_id, resource)
            except ResourceRefused as error:
                errors.append(f"Resource with id [{logical_id}] is invalid. {error}")
        elif resource_type.startswith("AWS::Serverless::"):
            errors.append(f"Resource with id [{logical_id}] is invalid. The rotctl emulator expands "
                          f"AWS::Serverless::Application only, not {resource_type}.")
    if errors:
        # AWS: the change set fails with the transform's error (SAM's
        # InvalidDocumentException, as CloudFormation words it).
        return None, (f"Transform {SERVERLESS} failed with: Invalid Serverless Application Specification document. "
                      f"Number of errors found: {len(errors)}. " + " ".join(errors))
    return json.dumps(processed, indent=2), None


def _application_stack(account_id: str, region_name: str, logical_id: str, resource: dict[str, Any]) -> dict:
    # AWS (SAM): an AWS::Serverless::Application becomes an
    # AWS::CloudFormation::Stack whose TemplateURL is the one the Serverless
    # Application Repository's CreateCloudFormationTemplate returns, with the
    # application's Parameters and the tags lambda:createdBy,
    # serverlessrepo:applicationId and serverlessrepo:semanticVersion.
    properties = resource.get("Properties") or {}
    location = properties.get("Location")
    if location is None:
        raise ResourceRefused("Resource is missing the required [Location] property.")
    tags = {"lambda:createdBy": "SAM"}
    if isinstance(location, dict):
        for key in ("ApplicationId", "SemanticVersion"):
            if key not in location:
                raise ResourceRefused(f"Resource is missing the required [{key}] property.")
        application_id, version = location["ApplicationId"], location["SemanticVersion"]
        if not isinstance(application_id, str) or not isinstance(version, str):
            raise ResourceRefused("Property 'ApplicationId' cannot be resolved. Only FindInMap and Ref intrinsic "
                                  "functions are supported.")
        try:
            created = serverlessrepo.create_template(account_id, region_name, application_id, version)
        except serverlessrepo.SarError as error:
            raise ResourceRefused(error.message) from None
        url = created["templateUrl"]
        tags.update({"serverlessrepo:applicationId": application_id, "serverlessrepo:semanticVersion": version})
    else:
        url = location
    tags.update(properties.get("Tags") or {})
    nested: dict[str, Any] = {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": {"TemplateURL": url, "Parameters": properties.get("Parameters") or {},
                       "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
    }
    for key in ("NotificationARNs", "TimeoutInMinutes"):
        if key in properties:
            nested["Properties"][key] = properties[key]
    for key in ("DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
        if key in resource:
            nested[key] = resource[key]
    return nested


# ---------------------------------------------------------------------------
# Change sets
# ---------------------------------------------------------------------------


def _find_change_set(backend: Any, change_set_name: str, stack_name: str | None) -> Any:
    """The change set by ARN, or by name on the stack named (moto takes the
    last of that name on any stack)."""
    if change_set_name in backend.change_sets:
        return backend.change_sets[change_set_name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == change_set_name and stack_name in (None, change_set.stack_name,
                                                                            change_set.stack_id):
            return change_set
    raise CfnValidationError(message=f"ChangeSet [{change_set_name}] does not exist")


def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    # AWS: a stack created or updated from a change set has its template's
    # Outputs (moto kept the empty template's, note 13); a FAILED change set
    # cannot be executed; a resource that fails rolls the stack back
    # (ROLLBACK_COMPLETE after a create, UPDATE_ROLLBACK_COMPLETE after an
    # update) with events naming it, where moto failed the ExecuteChangeSet call.
    change_set = _find_change_set(self, change_set_name, stack_name)
    if change_set.status != "CREATE_COMPLETE" or change_set.execution_status != "AVAILABLE":
        state = change_set.status if change_set.status != "CREATE_COMPLETE" else change_set.execution_status
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current status of [{state}]"
        )
    stack = self.stacks[change_set.stack_id]
    kind = change_set.change_set_type
    snapshot = _snapshot(stack)
    stack._add_stack_event(f"{kind}_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = f"{kind}_IN_PROGRESS"
    try:
        change_set.apply()
    except ResourceFailed as failure:
        change_set.execution_status = "EXECUTE_FAILED"
        reason = f"The following resource(s) failed to {failure.action}: [{failure.logical_id}]. "
        if kind == "CREATE":
            _roll_back_create(self, stack, change_set, failure, reason)
        else:
            stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=reason)
            _restore(stack, snapshot)
            stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
            stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
            stack.status = "UPDATE_ROLLBACK_COMPLETE"
        return
    stack.template = change_set.template
    stack.original_template = getattr(change_set, "original_template", None)
    stack.parameters = change_set.parameters
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.output_map = stack._create_output_map()
    if kind == "UPDATE":
        stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stack._add_stack_event(f"{kind}_COMPLETE")
    stack.status = f"{kind}_COMPLETE"
    change_set.execution_status = "EXECUTE_COMPLETE"


def _roll_back_create(backend: Any, stack: Any, change_set: Any, failure: ResourceFailed, reason: str) -> None:
    # AWS: a failed create rolls back: what was created is deleted (a nested
    # stack too), the stack ends ROLLBACK_COMPLETE without outputs, and keeps
    # its template.
    stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=f"{reason}Rollback requested by user.")
    stack.status = "ROLLBACK_IN_PROGRESS"
    stack.template = change_set.template
    stack.original_template = getattr(change_set, "original_template", None)
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    try:
        stack.resource_map.delete()
        # A nested stack that failed is not among the created resources; it goes too.
        for nested in [s for s in backend.stacks.values() if getattr(s, "parent_id", None) == stack.stack_id]:
            kind = "AWS::CloudFormation::Stack"
            _resource_event(stack, failure.logical_id, kind, "DELETE_IN_PROGRESS", nested.stack_id)
            backend.delete_stack(nested.stack_id)
            _resource_event(stack, failure.logical_id, kind, "DELETE_COMPLETE", nested.stack_id)
    except Exception as error:  # noqa: BLE001 - AWS: ROLLBACK_FAILED
        stack._add_stack_event("ROLLBACK_FAILED", resource_status_reason=_reason(error))
        stack.status = "ROLLBACK_FAILED"
        _empty_outputs(stack)
        return
    stack._add_stack_event("ROLLBACK_COMPLETE")
    stack.status = "ROLLBACK_COMPLETE"
    _empty_outputs(stack)


_original_create_change_set = cfn_models.CloudFormationBackend.create_change_set


def create_change_set(
    self: Any, stack_name: str, change_set_name: str, template: str, parameters: dict[str, str], description: str,
    change_set_type: str, **kwargs: Any,
) -> tuple[str, str]:
    # AWS: change set names are unique per stack (AlreadyExistsException), and a
    # CREATE change set for a stack still in REVIEW_IN_PROGRESS reuses that
    # stack; moto makes a second stack of the same name.
    existing = next((st for st in self.stacks.values() if st.name == stack_name and st.status != "DELETE_COMPLETE"), None)
    if existing is not None:
        for change_set in self.change_sets.values():
            if change_set.stack_id == existing.stack_id and change_set.change_set_name == change_set_name:
                raise CfnAlreadyExists(f"ChangeSet {change_set_name} already exists")
    if existing is not None and change_set_type == "CREATE" and existing.status != "REVIEW_IN_PROGRESS":
        raise CfnValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again")
    # AWS runs the template's transforms when it makes the change set: the
    # Serverless transform expands AWS::Serverless::Application (a failure
    # fails the change set with the transform's message), and the stack keeps
    # the submitted template as its Original stage. UsePreviousTemplate
    # (moto hands over the stack's processed template) means the original.
    original = template
    if existing is not None and template == existing.template and getattr(existing, "original_template", None):
        original = existing.original_template
    processed, failure = expand(self.account_id, self.region_name, original)
    body = processed if processed is not None else (EMPTY_TEMPLATE if failure else original)
    if existing is not None and change_set_type == "CREATE":
        change_set_id = cfn_models.generate_changeset_id(change_set_name, self.region_name, self.account_id)
        change_set = cfn_models.ChangeSet(
            change_set_type="CREATE", change_set_id=change_set_id, change_set_name=change_set_name, stack=existing,
            template=body, parameters=parameters, description=description,
        )
        change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        self.change_sets[change_set_id] = change_set
        stack_id = existing.stack_id
    else:
        change_set_id, stack_id = _original_create_change_set(
            self, stack_name, change_set_name, template=body, parameters=parameters, description=description,
            change_set_type=change_set_type, **kwargs,
        )
    change_set = self.change_sets[change_set_id]
    change_set.original_template = original if (processed is not None or failure) else None
    if failure:
        change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
        change_set.status_reason, change_set.changes = failure, []
    for change in change_set.changes:
        if change.action == "Modify":
            change.replacement, change.scope = "False", ["Properties"]
            if change.resource_type == "AWS::CloudFormation::Stack":
                # AWS: a nested stack is always in an update's change set, its
                # template "might have changed" (ChangeSource Automatic).
                change.details = [{"Evaluation": "Dynamic", "ChangeSource": "Automatic"}]
    return change_set_id, stack_id


# ---------------------------------------------------------------------------
# The API: change sets by stack name, GetTemplate's stages
# ---------------------------------------------------------------------------


def _change_set_of_request(response: Any) -> Any:
    return _find_change_set(response.cloudformation_backend, response._get_param("ChangeSetName"),
                            response._get_param("StackName"))


def describe_change_set_response(self: Any) -> ActionResult:
    # AWS: ChangeSetName with StackName names that stack's change set.
    return ActionResult(_change_set_of_request(self))


def execute_change_set_response(self: Any) -> EmptyResult:
    change_set = _change_set_of_request(self)
    self.cloudformation_backend.execute_change_set(change_set.change_set_id, self._get_param("StackName"))
    return EmptyResult()


def delete_change_set_response(self: Any) -> EmptyResult:
    change_set = _change_set_of_request(self)
    self.cloudformation_backend.delete_change_set(change_set.change_set_id)
    return EmptyResult()


def get_template_response(self: Any) -> ActionResult:
    # AWS: GetTemplate answers the template as submitted (TemplateStage
    # Original, the default) or after its transforms (Processed), for a stack
    # or one of its change sets.
    stage = self._get_param("TemplateStage") or "Original"
    if self._get_param("ChangeSetName"):
        source = _change_set_of_request(self)
    else:
        source = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    original = getattr(source, "original_template", None)
    if original is None:
        return ActionResult({"TemplateBody": source.template, "StagesAvailable": ["Original", "Processed"]})
    body = original if stage == "Original" else source.template
    return ActionResult({"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]})


def apply() -> None:
    """Installs the CloudFormation corrections into moto."""
    backend = cfn_models.CloudFormationBackend
    backend.execute_change_set = execute_change_set
    backend.create_change_set = create_change_set
    cfn_parsing.parse_and_create_resource = parse_and_create_resource
    cfn_parsing.parse_and_update_resource = parse_and_update_resource
    cfn_parsing.clean_json = clean_json
    cfn_parsing.generate_resource_name = generate_resource_name
    cfn_parsing.ResourceMap._delete_resource = delete_resource
    cfn_parsing.ResourceMap.update = resource_map_update
    cfn_parsing.ResourceMap.create = resource_map_create
    cfn_parsing.ResourceMap.build_resource_diff = build_resource_diff
    stack = cfn_models.Stack
    stack._create_resource_map = create_resource_map
    stack.outputs = property(stack_outputs)
    stack.exports = property(stack_exports)
    stack.stack_resources = property(stack_resources)
    stack.get_cfn_attribute = stack_get_cfn_attribute
    stack.physical_resource_id = property(stack_physical_resource_id)
    stack.create_from_cloudformation_json = classmethod(nested_stack_create)
    stack.update_from_cloudformation_json = classmethod(nested_stack_update)
    function = lambda_models.LambdaFunction
    function.create_from_cloudformation_json = classmethod(lambda_create)
    function.update_from_cloudformation_json = classmethod(lambda_update)
    permission = lambda_models.Permission
    permission.create_from_cloudformation_json = classmethod(permission_create)
    permission.update_from_cloudformation_json = classmethod(permission_update)
    permission.delete = permission_delete
    iam_models.Role.create_from_cloudformation_json = classmethod(role_create)
    iam_models.Role.update_from_cloudformation_json = classmethod(role_update)
    responses = cfn_responses.CloudFormationResponse
    responses.describe_change_set = describe_change_set_response
    responses.execute_change_set = execute_change_set_response
    responses.delete_change_set = delete_change_set_response
    responses.get_template = get_template_response
