"""EC2: VPC endpoints as AWS creates them.

moto 5.2.5 accepts a second interface endpoint with private DNS for the same
service in a VPC, where AWS refuses it because the first already claims the
service's DNS name there; and a repeated ClientToken makes moto create another
endpoint, where AWS returns the one that token already made (an idempotent
retry). apply() installs the correction.
"""

from __future__ import annotations

from typing import Any

from moto.ec2 import exceptions as ec2_exceptions
from moto.ec2.models import vpcs as ec2_vpcs

_original_create_vpc_endpoint = ec2_vpcs.VPCBackend.create_vpc_endpoint


def create_vpc_endpoint(self: Any, vpc_id: str, service_name: str, *args: Any, **kwargs: Any) -> Any:
    # AWS: an interface endpoint with private DNS claims the service's DNS name
    # in the VPC, so a second one is refused (moto accepts it, note 12); the
    # same ClientToken returns the endpoint already made.
    token = kwargs.get("client_token")
    for endpoint in self.vpc_end_points.values():
        if token and getattr(endpoint, "client_token", None) == token:
            return endpoint
        if (
            kwargs.get("private_dns_enabled")
            and endpoint.vpc_id == vpc_id
            and endpoint.service_name == service_name
            and getattr(endpoint, "private_dns_enabled", False)
            and endpoint.state != "deleted"
        ):
            raise ec2_exceptions.InvalidParameterValueError(
                f"private-dns-enabled cannot be set because there is already a conflicting DNS domain for "
                f"{service_name.split('.', 3)[-1]}.{service_name.split('.')[2]}.amazonaws.com in the VPC {vpc_id}"
            )
    return _original_create_vpc_endpoint(self, vpc_id, service_name, *args, **kwargs)


def apply() -> None:
    """Installs the EC2 correction into moto."""
    ec2_vpcs.VPCBackend.create_vpc_endpoint = create_vpc_endpoint
