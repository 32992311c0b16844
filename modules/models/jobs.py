"""The processing-job step every pipeline step that runs a container shares: in the VPC,
network-isolated, with encrypted volumes, outputs and traffic between instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import has_local_storage

if TYPE_CHECKING:
    from .definition import Inputs


def processing(name: str, instance_type: str, i: Inputs, vpc: dict, *, entry: list, inputs: list, outputs: list,
               image: str | None = None) -> dict:
    """A processing step with the training role, in `image` (by default the processing
    image); callers change what differs."""
    return {
        "Name": name, "Type": "Processing",
        "Arguments": {
            "AppSpecification": {"ImageUri": image or i.processing_image, "ContainerEntrypoint": entry},
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
            "NetworkConfig": {"EnableNetworkIsolation": True, "EnableInterContainerTrafficEncryption": True,
                              "VpcConfig": vpc},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


def resources(instance_type: str, config: dict, key: str) -> dict:
    """Storage volumes are encrypted with the platform key, except on instances with
    local NVMe storage: AWS encrypts that in hardware and SageMaker rejects a key."""
    if not has_local_storage(instance_type):
        config["VolumeKmsKeyId"] = key
    return config
