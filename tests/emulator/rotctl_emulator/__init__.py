"""rotctl's test emulator, by service: the corrections to moto server (pinned,
see ../requirements.txt) and the test harness around it. ../server.py applies
them and serves.

    common.py          the lock around moto's state, the emulator's endpoint
    secretsmanager.py  rotation, rotation rules, version stages, reads, listing
    cloudtrail.py      the rotation service events, and LookupEvents over them
    awslambda.py       running rotation functions, AddPermission, VpcConfig
    ec2.py             VPC endpoints
    cloudformation.py  change sets, the Serverless transform, nested stacks
    serverlessrepo.py  the Serverless Application Repository (AWS's rotation apps)
    logs.py            CloudWatch Logs filter patterns
    harness.py         call log, fault injection, /_harness/ control endpoints
    postgres.py        real PostgreSQL clusters for the rotation functions
    functions.py       the rotation functions' zips (PostgreSQL, other engines)

Importing a module changes nothing: each service module's apply() installs its
patches, and server.py calls each once before serving.
"""
