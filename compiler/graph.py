"""`mlops graph`: the platform a spec describes, as a Mermaid flowchart per environment.

What a reviewer wants to see at a glance: the account and network, the buckets and the
datasets in them, the code and image repositories, each model's training (and what
starts it: a schedule, new data, drift), its registry and endpoint, and the monitors on
that endpoint. It reads the resolved spec of each environment (overrides applied) and
the sections of the standard modules; it is a view, and changes nothing compile writes.
"""

from __future__ import annotations

import re
from typing import Any


def mermaid(resolved: list) -> str:
    lines = ["flowchart LR"]
    for one in resolved:
        lines += _environment(one.env, one.spec)
    return "\n".join(lines) + "\n"


def _id(env: str, *parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join((env, *parts)))


def _node(ident: str, label: str, shape: str = "box") -> str:
    text = label.replace('"', "'")
    return {"box": f'{ident}["{text}"]', "store": f'{ident}[("{text}")]', "event": f'{ident}(["{text}"])',
            "round": f'{ident}("{text}")'}[shape]


def _edge(a: str, b: str, label: str | None = None, line: str = "-->") -> str:
    text = f'|"{label}"|' if label else ""
    return f"    {a} {line}{text} {b}"


def _environment(env, spec: dict) -> list[str]:
    name = env.name
    out = [f'  subgraph {_id(name)}["{name}: account {env.account}, {env.region}"]', "    direction LR"]
    network = spec.get("network")
    if network:
        out.append("    " + _node(_id(name, "vpc"), f"VPC {network['cidr']}, private subnets", "round"))
    data = spec.get("data") or {}
    for bucket in data.get("buckets", {}):
        out.append("    " + _node(_id(name, "bucket", bucket), f"bucket {bucket}", "store"))
    for dataset, settings in data.get("datasets", {}).items():
        out.append("    " + _node(_id(name, "dataset", dataset), f"dataset {dataset}"))
        out.append(_edge(_id(name, "bucket", settings["bucket"]), _id(name, "dataset", dataset), line="---"))
    repositories = spec.get("repositories") or {}
    for repo in repositories.get("code", {}):
        out.append("    " + _node(_id(name, "code", repo), f"code {repo}", "round"))
    for image, settings in repositories.get("images", {}).items():
        out.append("    " + _node(_id(name, "image", image), f"image {image}", "store"))
        out.append(_edge(_id(name, "code", settings["source"]), _id(name, "image", image), "build, test, publish"))
    for model, settings in (spec.get("models") or {}).items():
        out += _served(env, model, settings) if env.serves_from else _model(name, model, settings)
    for model, settings in ((spec.get("monitoring") or {}).get("models") or {}).items():
        out += _monitors(name, model, settings, env.serves_from)
    return out + ["  end"]


def _model(env: str, model: str, m: dict[str, Any]) -> list[str]:
    training = m["training"]
    how = training.get("algorithm") or training.get("framework") or f"image {training.get('image')}"
    train = _id(env, "train", model)
    out = ["    " + _node(train, f"train {model} ({how}, {m.get('orchestrator', 'pipeline')})"),
           _edge(_id(env, "dataset", training["input"]), train)]
    if training.get("image"):
        out.append(_edge(_id(env, "image", training["image"]), train))
    if training.get("source"):
        out.append(_edge(_id(env, "code", training["source"]), train, "scripts"))
    registry = _id(env, "registry", model)
    gate = m["evaluation"]
    bound = f">= {gate['min']}" if "min" in gate else f"<= {gate['max']}"
    out += ["    " + _node(registry, f"registry {model}", "store"),
            _edge(train, registry, f"{gate['metric']} {bound}")]
    retrain = m.get("retrain") or {}
    if retrain.get("schedule"):
        out += ["    " + _node(_id(env, "schedule", model), retrain["schedule"], "event"),
                _edge(_id(env, "schedule", model), train, line="-.->")]
    if retrain.get("on_new_data"):
        out.append(_edge(_id(env, "dataset", training["input"]), train, "new data", line="-.->"))
    endpoint = m.get("endpoint") or {}
    if endpoint.get("model_version"):
        ident = _id(env, "endpoint", model)
        out += ["    " + _node(ident, f"endpoint {model} v{endpoint['model_version']}, {endpoint.get('instance_type', '')}",
                              "round"),
                _edge(registry, ident, f"version {endpoint['model_version']}")]
    return out


def _served(env, model: str, m: dict[str, Any]) -> list[str]:
    """A serving environment trains nothing: its endpoint serves a version of the
    training environment's registry."""
    endpoint = m.get("endpoint") or {}
    if not endpoint.get("model_version"):
        return []
    ident = _id(env.name, "endpoint", model)
    source = _id(env.name, "registry", model)
    return ["    " + _node(source, f"registry {model} in {env.serves_from}", "store"),
            "    " + _node(ident, f"endpoint {model} v{endpoint['model_version']}, {endpoint.get('instance_type', '')}",
                           "round"),
            _edge(source, ident, f"version {endpoint['model_version']}, cross-account")]


def _monitors(env: str, model: str, settings: dict[str, Any], trains_in: str | None) -> list[str]:
    kinds = [k for k in ("data_quality", "model_quality", "bias", "explainability") if settings.get(k)]
    if not kinds:
        return []
    ident = _id(env, "monitor", model)
    out = ["    " + _node(ident, f"monitor {model}: {', '.join(k.replace('_', ' ') for k in kinds)}"),
           _edge(_id(env, "endpoint", model), ident, "captured traffic", line="-.->")]
    if settings.get("on_drift") and trains_in:  # forwarded to the training environment's event bus
        out += ["    " + _node(_id(env, "retrain", model), f"retrain {model} in {trains_in}", "event"),
                _edge(ident, _id(env, "retrain", model), "drift", line="-.->")]
    elif settings.get("on_drift"):
        out.append(_edge(ident, _id(env, "train", model), "drift", line="-.->"))
    return out
