"""CloudFormation: change sets as AWS runs them.

moto 5.2.5 leaves a stack created or updated from a change set without its
template's Outputs (rotctl reads the rotation function's ARN from them),
accepts a second change set of the same name on a stack, and makes a second
stack of the same name for a CREATE change set while the first is still in
REVIEW_IN_PROGRESS. apply() installs the corrections.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import AlreadyExistsException as CfnAlreadyExists
from moto.cloudformation.exceptions import ValidationError as CfnValidationError

_original_execute_change_set = cfn_models.CloudFormationBackend.execute_change_set


def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    # AWS: a stack created or updated from a change set has its template's
    # Outputs; moto keeps the outputs of the empty template (note 8).
    _original_execute_change_set(self, change_set_name, stack_name)
    change_set = self.describe_change_set(change_set_name)
    stack = self.stacks[change_set.stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()


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
    if existing is not None and change_set_type == "CREATE":
        if existing.status != "REVIEW_IN_PROGRESS":
            raise CfnValidationError(message=f"Stack [{stack_name}] already exists and cannot be created again")
        change_set_id = cfn_models.generate_changeset_id(change_set_name, self.region_name, self.account_id)
        change_set = cfn_models.ChangeSet(
            change_set_type="CREATE", change_set_id=change_set_id, change_set_name=change_set_name, stack=existing,
            template=template, parameters=parameters, description=description,
        )
        change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        self.change_sets[change_set_id] = change_set
        return change_set_id, existing.stack_id
    return _original_create_change_set(
        self, stack_name, change_set_name, template=template, parameters=parameters, description=description,
        change_set_type=change_set_type, **kwargs,
    )


def apply() -> None:
    """Installs the CloudFormation corrections into moto."""
    cfn_models.CloudFormationBackend.execute_change_set = execute_change_set
    cfn_models.CloudFormationBackend.create_change_set = create_change_set
