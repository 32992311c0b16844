"""Part of the module API: what an instance type decides about how a job or an endpoint is
written. Instance families with local NVMe storage encrypt it in hardware, and SageMaker
rejects a KMS key for their volumes, so jobs and endpoints on them name none."""

from __future__ import annotations

import re

_LOCAL_STORAGE = re.compile(r"^([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e|trn1|trn1n|inf2)$")


def has_local_storage(instance_type: str) -> bool:
    return bool(_LOCAL_STORAGE.match(instance_type.removeprefix("ml.").split(".")[0]))
