"""rotctl's test emulator, by service: the corrections to moto server (pinned,
see ../requirements.txt) and the test harness around it. ../server.py applies
them and serves.

    common.py          the lock around moto's state, the emulator's endpoint
    secretsmanager.py  rotation, rotation rules, version stages, reads, listing
    cloudtrail.py      the rotation service events, and LookupEvents over them
    awslambda.py       running rotation functions, AddPermission, VpcConfig
    ec2.py             VPC endpoints
    cloudformation.py  change sets
    harness.py         call log, fault injection, /_harness/ control endpoints

Importing a module changes nothing: each service module's apply() installs its
patches, and server.py calls each once before serving.
"""
