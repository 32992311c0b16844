"""mlops: compile one mlops.yaml into per-environment Terraform JSON.

The compiler is an ordered list of passes (load, validate, resolve, build, check,
write), each a plain function in its own file. Only `cli` prints and exits; only
`cdk` imports the CDK runtime.
"""
