"""What mlops knows about SageMaker's built-in algorithms and prebuilt framework
containers: their ECR repositories and image tags (resolved to an image per region at
plan time by `aws_sagemaker_prebuilt_ecr_image`), the versions offered, the metrics a
built-in algorithm emits, and which processors (CPU, GPU) each image is built for.
Checks against this table turn a typo'd version, an image AWS does not publish or a
GPU-only algorithm on a CPU instance into a compile error with a hint, instead of a
failed `terraform plan` or training job hours later.

Where the facts come from (tests/test_catalog_images.py holds the table to them):
- repositories and tags: the SageMaker SDK's image configuration (sagemaker-core's
  `image_uri_config/*.json`), every entry per version, scope (training, inference) and
  processor; the table stays literal so `mlops validate` reads no SDK files;
- repositories: also the table of `aws_sagemaker_prebuilt_ecr_image` in the pinned
  hashicorp/aws provider (tests/data/prebuilt_ecr_repositories.txt), which rejects any
  other repository name at plan time;
- metrics: AWS's documentation of each algorithm's metrics ("Tune a <algorithm> model",
  the metrics the algorithm computes); PCA is left out because AWS documents no metric
  for it and the quality gate reads one;
- content types and processors of the built-in algorithms: each algorithm's "input and
  output interface" and "EC2 instance recommendation" pages.

Vocabulary: a *processor* is `cpu` or `gpu`, as the SDK names image variants; an
instance type's processor follows the SDK's rule (families starting with g or p are GPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops.instances import has_local_storage  # noqa: F401 (pipeline steps read it from here)

CPU, GPU = "cpu", "gpu"
# The endpoint instance type when the spec names none (serving image, registered model).
DEFAULT_ENDPOINT = "ml.m5.large"


@dataclass(frozen=True)
class Image:
    """One prebuilt image: its repository and its tag per processor; a processor the
    image is not built for has no tag."""

    repository: str
    tags: dict[str, str]

    def tag(self, processor: str) -> str | None:
        return self.tags.get(processor)


def _dlc(repository: str, prefix: str, py: str = "", processors=(CPU, GPU), container: dict | None = None) -> Image:
    """A tag the way the SDK forms it: prefix, processor, Python and container version."""
    return Image(repository, {p: "-".join(x for x in (prefix, p, py, (container or {}).get(p, "")) if x) for p in processors})


def _same(repository: str, tag: str, processors=(CPU, GPU)) -> Image:
    """An image whose tag names no processor (built-in algorithms, XGBoost)."""
    return Image(repository, {p: tag for p in processors})


@dataclass(frozen=True)
class Algorithm:
    repository: str
    versions: tuple[str, ...]
    metrics: tuple[str, ...]
    processors: tuple[str, ...] = (CPU, GPU)
    # Training input content type the algorithm expects by default.
    content_type: str = "text/csv"

    def image(self, version: str) -> Image:
        """Training and serving share the algorithm's image."""
        return _same(self.repository, version, self.processors)


@dataclass(frozen=True)
class Framework:
    """A framework container that runs your script: its training image per version and
    its serving image per version (what the registered model and the endpoint run)."""

    training: dict[str, Image]
    serving: dict[str, Image] = field(default_factory=dict)


ALGORITHMS = {
    "xgboost": Algorithm("sagemaker-xgboost", ("1.5-1", "1.7-1", "3.0-5", "3.2-0"), (
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
                                      processors=(GPU,), content_type="application/x-recordio"),
    "object-detection": Algorithm("object-detection", ("1",), ("validation:mAP",), processors=(GPU,),
                                  content_type="application/x-recordio"),
    "semantic-segmentation": Algorithm("semantic-segmentation", ("1",), ("validation:mIOU", "validation:pixel_accuracy"),
                                       processors=(GPU,), content_type="image/jpeg"),
    "forecasting-deepar": Algorithm("forecasting-deepar", ("1",), ("test:RMSE", "test:mean_wQuantileLoss", "train:final_loss"),
                                    content_type="application/jsonlines"),
    "randomcutforest": Algorithm("randomcutforest", ("1",), ("test:f1",), processors=(CPU,)),
    "ipinsights": Algorithm("ipinsights", ("1",), ("validation:discriminator_auc",)),
    "object2vec": Algorithm("object2vec", ("1",), (
        "test:accuracy", "test:cross_entropy", "test:mean_squared_error",
        "validation:accuracy", "validation:cross_entropy", "validation:mean_squared_error"),
        content_type="application/jsonlines"),
    "lda": Algorithm("lda", ("1",), ("test:pwll",), processors=(CPU,)),
    "ntm": Algorithm("ntm", ("1",), ("validation:total_loss",)),
    "seq2seq": Algorithm("seq2seq", ("1",), ("validation:accuracy", "validation:bleu", "validation:perplexity"),
                         processors=(GPU,), content_type="application/x-recordio-protobuf"),
}

_HF_GPU = {GPU: "cu121-ubuntu20.04"}
FRAMEWORKS = {
    "pytorch": Framework(
        training={"2.3": _dlc("pytorch-training", "2.3.0", "py311"), "2.4": _dlc("pytorch-training", "2.4.0", "py311"),
                  "2.5": _dlc("pytorch-training", "2.5.1", "py311"), "2.6": _dlc("pytorch-training", "2.6.0", "py312"),
                  "2.7": _dlc("pytorch-training", "2.7.1", "py312"), "2.8": _dlc("pytorch-training", "2.8.0", "py312"),
                  "2.9": _dlc("pytorch-training", "2.9.0", "py312"), "2.10": _dlc("pytorch-training", "2.10.0", "py313")},
        serving={"2.3": _dlc("pytorch-inference", "2.3.0", "py311"), "2.4": _dlc("pytorch-inference", "2.4.0", "py311"),
                 "2.5": _dlc("pytorch-inference", "2.5.1", "py311"), "2.6": _dlc("pytorch-inference", "2.6.0", "py312")}),
    "tensorflow": Framework(
        training={"2.14": _dlc("tensorflow-training", "2.14.1", "py310"), "2.16": _dlc("tensorflow-training", "2.16.2", "py310"),
                  "2.18": _dlc("tensorflow-training", "2.18.0", "py310"), "2.19": _dlc("tensorflow-training", "2.19.0", "py312"),
                  "2.21": _dlc("tensorflow-training", "2.21.0", "py312")},
        serving={"2.14": _dlc("tensorflow-inference", "2.14.1"), "2.16": _dlc("tensorflow-inference", "2.16.1"),
                 "2.18": _dlc("tensorflow-inference", "2.18.0"), "2.19": _dlc("tensorflow-inference", "2.19.0"),
                 "2.20": _dlc("tensorflow-inference", "2.20.0", "py312")}),
    "sklearn": Framework(
        training={"1.2": _dlc("sagemaker-scikit-learn", "1.2-1", "py3", (CPU,)),
                  "1.4": _dlc("sagemaker-scikit-learn", "1.4-2-py312", "py3", (CPU,)),
                  "1.9": _dlc("sagemaker-scikit-learn", "1.9-0", "py3", (CPU,))},
        serving={"1.2": _dlc("sagemaker-scikit-learn", "1.2-1", "py3", (CPU,)),
                 "1.4": _dlc("sagemaker-scikit-learn", "1.4-2-py312", "py3", (CPU,)),
                 "1.9": _dlc("sagemaker-scikit-learn", "1.9-0", "py3", (CPU,))}),
    "xgboost": Framework(
        training={v: _same("sagemaker-xgboost", t) for v, t in (("1.7", "1.7-1"), ("3.0", "3.0-5"), ("3.2", "3.2-0"))},
        serving={v: _same("sagemaker-xgboost", t) for v, t in (("1.7", "1.7-1"), ("3.0", "3.0-5"), ("3.2", "3.2-0"))}),
    # Versions are transformers versions; the tag names the PyTorch it is built on.
    "huggingface": Framework(
        training={
            "4.46": _dlc("huggingface-pytorch-training", "2.3.0-transformers4.46.1", "py311", (GPU,), _HF_GPU),
            "4.48": _dlc("huggingface-pytorch-training", "2.3.0-transformers4.48.0", "py311", (GPU,), _HF_GPU),
            "4.49": _dlc("huggingface-pytorch-training", "2.5.1-transformers4.49.0", "py311", (GPU,), {GPU: "cu124-ubuntu22.04"}),
            "4.55": _dlc("huggingface-pytorch-training", "2.7.1-transformers4.55.0", "py312", (GPU,), {GPU: "cu128-ubuntu22.04"}),
            "4.56": _dlc("huggingface-pytorch-training", "2.8.0-transformers4.56.2", "py312", (GPU,), {GPU: "cu129-ubuntu22.04"}),
            "5.3": _dlc("huggingface-pytorch-training", "2.9.0-transformers5.3.0", "py312", (GPU,), {GPU: "cu130-ubuntu22.04"})},
        serving={
            "4.48": _dlc("huggingface-pytorch-inference", "2.3.0-transformers4.48.0", "py311",
                         container={GPU: "cu121-ubuntu22.04", CPU: "ubuntu22.04"}),
            "4.49": _dlc("huggingface-pytorch-inference", "2.6.0-transformers4.49.0", "py312",
                         container={GPU: "cu124-ubuntu22.04", CPU: "ubuntu22.04"}),
            "4.51": _dlc("huggingface-pytorch-inference", "2.6.0-transformers4.51.3", "py312",
                         container={GPU: "cu124-ubuntu22.04", CPU: "ubuntu22.04"}),
            "5.5": _dlc("huggingface-pytorch-inference", "2.6.0-transformers5.5.3", "py312",
                        container={GPU: "cu124-ubuntu22.04", CPU: "ubuntu22.04"})}),
}

# The scikit-learn container runs the processing scripts of built-in algorithm and
# custom image models, and the report step of every model.
PROCESSING = Image("sagemaker-scikit-learn", {CPU: "1.4-2-cpu-py3"})
# Model Monitor's analyzer (the SDK names no tag: ECR's `latest`) and Clarify's image.
MODEL_MONITOR = Image("sagemaker-model-monitor-analyzer", {CPU: "latest"})
CLARIFY = Image("sagemaker-clarify-processing", {CPU: "1.0"})


def is_gpu(instance_type: str) -> bool:
    family = instance_type.removeprefix("ml.").split(".")[0]
    return family[:1] in ("p", "g")


def processor(instance_type: str) -> str:
    return GPU if is_gpu(instance_type) else CPU


def serving_version(training: dict) -> str:
    """The framework version whose serving image serves the model: the training
    version unless `serving_version` names another."""
    return training.get("serving_version") or training["version"]
