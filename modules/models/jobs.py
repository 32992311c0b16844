"""The processing-job step every pipeline step that runs a container shares: in the VPC,
network-isolated, with encrypted volumes, outputs and traffic between instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import has_local_storage
from .steps import Step

if TYPE_CHECKING:
    from .definition import Inputs


def processing(name: str, instance_type: str, i: Inputs, vpc: dict, *, entry: list | None, inputs: list, outputs: list,
               image: str | None = None, environment: dict | None = None, isolated: bool = True,
               depends_on: tuple[str, ...] = ()) -> Step:
    """A processing step with the training role, in `image` (by default the processing
    image), running `entry` (None: the image's own entry point, as Model Monitor's and
    Clarify's). `isolated=False` for a job that calls AWS APIs through the VPC endpoints."""
    app = {"ImageUri": image or i.processing_image}
    if entry is not None:
        app["ContainerEntrypoint"] = entry
    arguments = {
        "AppSpecification": app,
        "RoleArn": i.training_role,
        "ProcessingResources": {"ClusterConfig": resources(instance_type, {"InstanceType": instance_type, "InstanceCount": 1,
                                                                            "VolumeSizeInGB": 30}, i.key)},
        "ProcessingInputs": [
            {"InputName": n, "S3Input": {"S3Uri": uri, "LocalPath": path, "S3DataType": "S3Prefix",
                                         "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}}
            for n, uri, path in inputs],
        "ProcessingOutputConfig": {"KmsKeyId": i.key, "Outputs": [
            {"OutputName": n, "S3Output": {"S3Uri": uri, "LocalPath": path, "S3UploadMode": "EndOfJob"}}
            for n, uri, path in outputs]},
        "NetworkConfig": {"EnableNetworkIsolation": isolated, "EnableInterContainerTrafficEncryption": True,
                          "VpcConfig": vpc},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    if environment is not None:
        arguments["Environment"] = environment
    return Step(name, "Processing", arguments, depends_on)


def resources(instance_type: str, config: dict, key: str) -> dict:
    """Storage volumes are encrypted with the platform key, except on instances with
    local NVMe storage: AWS encrypts that in hardware and SageMaker rejects a key.

    The instance type is the one the spec names: in a Training step, the default of the
    TrainingInstanceType parameter (see definition.py on starting a run with another)."""
    if not has_local_storage(instance_type):
        config["VolumeKmsKeyId"] = key
    return config
