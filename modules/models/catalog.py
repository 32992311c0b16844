"""What mlops knows about SageMaker's built-in algorithms and prebuilt framework
containers: their ECR repository names (resolved to an image per region at plan time
by `aws_sagemaker_prebuilt_ecr_image`), the versions offered, the metrics a built-in
algorithm emits, and which ones need a GPU. Checks against this table turn a typo'd
version or a GPU-only algorithm on a CPU instance into a compile error with a hint,
instead of a failed training job hours later."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Algorithm:
    repository: str
    versions: tuple[str, ...]
    metrics: tuple[str, ...]
    gpu_only: bool = False
    # Training input content type the algorithm expects by default.
    content_type: str = "text/csv"


@dataclass(frozen=True)
class Framework:
    repository: str
    # version -> image tag pattern; {device} is cpu or gpu
    tags: dict[str, str] = field(default_factory=dict)
    cpu: bool = True
    gpu: bool = True


ALGORITHMS = {
    "xgboost": Algorithm("sagemaker-xgboost", ("1.5-1", "1.7-1", "3.0-5"), (
        "train:auc", "train:error", "train:logloss", "train:mae", "train:rmse",
        "validation:auc", "validation:aucpr", "validation:error", "validation:f1", "validation:logloss",
        "validation:mae", "validation:map", "validation:merror", "validation:mlogloss", "validation:mse",
        "validation:ndcg", "validation:rmse")),
    "linear-learner": Algorithm("linear-learner", ("1",), (
        "test:absolute_loss", "test:binary_classification_accuracy", "test:binary_f_beta", "test:mse",
        "test:precision", "test:recall", "test:rmse", "validation:absolute_loss",
        "validation:binary_classification_accuracy", "validation:binary_f_beta", "validation:mse",
        "validation:objective_loss", "validation:precision", "validation:recall", "validation:rmse")),
    "kmeans": Algorithm("kmeans", ("1",), ("test:msd", "test:ssd")),
    "knn": Algorithm("knn", ("1",), ("test:accuracy", "test:mse")),
    "factorization-machines": Algorithm("factorization-machines", ("1",), (
        "test:binary_classification_accuracy", "test:binary_classification_cross_entropy",
        "test:binary_f_beta", "test:rmse")),
    "blazingtext": Algorithm("blazingtext", ("1",), ("train:mean_rho", "validation:accuracy"), content_type="text/plain"),
    "image-classification": Algorithm("image-classification", ("1",), ("train:accuracy", "validation:accuracy"),
                                      gpu_only=True, content_type="application/x-recordio"),
    "object-detection": Algorithm("object-detection", ("1",), ("validation:mAP",), gpu_only=True,
                                  content_type="application/x-recordio"),
    "semantic-segmentation": Algorithm("semantic-segmentation", ("1",), ("validation:mIOU", "validation:pixel_accuracy"),
                                       gpu_only=True, content_type="image/jpeg"),
}

FRAMEWORKS = {
    "pytorch": Framework("pytorch-training", {
        "2.3": "2.3.0-{device}-py311", "2.4": "2.4.0-{device}-py311", "2.5": "2.5.1-{device}-py311",
        "2.6": "2.6.0-{device}-py312"}),
    "tensorflow": Framework("tensorflow-training", {
        "2.14": "2.14.1-{device}-py310", "2.16": "2.16.2-{device}-py310", "2.18": "2.18.0-{device}-py310"}),
    "sklearn": Framework("sagemaker-scikit-learn", {"1.2": "1.2-1", "1.4": "1.4-2"}, gpu=False),
    "xgboost": Framework("sagemaker-xgboost", {"1.7": "1.7-1", "3.0": "3.0-5"}),
    "huggingface": Framework("huggingface-pytorch-training", {
        "4.46": "2.3.0-transformers4.46.1-gpu-py311-cu121-ubuntu20.04",
        "4.49": "2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04"}, cpu=False),
}

# The scikit-learn container runs processing scripts (preprocessing, evaluation).
PROCESSING = ("sagemaker-scikit-learn", "1.4-2")
# Model Monitor's analyzer and Clarify's processing image: (repository, tag).
MODEL_MONITOR = ("sagemaker-model-monitor-analyzer", "latest")
CLARIFY = ("sagemaker-clarify-processing", "1.0")


# Families whose instances come with local NVMe storage, which AWS encrypts in hardware
# and for which SageMaker rejects a volume KMS key (training, processing, endpoints).
_LOCAL_STORAGE = re.compile(r"^([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e|trn1|trn1n|inf2)$")


def has_local_storage(instance_type: str) -> bool:
    return bool(_LOCAL_STORAGE.match(instance_type.removeprefix("ml.").split(".")[0]))


def is_gpu(instance_type: str) -> bool:
    family = instance_type.removeprefix("ml.").split(".")[0]
    return family[:1] in ("p", "g")


def framework_tag(name: str, version: str, instance_type: str) -> str:
    return FRAMEWORKS[name].tags[version].format(device="gpu" if is_gpu(instance_type) else "cpu")
