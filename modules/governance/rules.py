"""Environment rules and required tags: properties an environment must have, checked
on its resolved spec, so a violation points at the value (or the override) that breaks
the rule and names the rule."""

from __future__ import annotations

from mlops.errors import SpecError
from mlops.module_api import Environment


def check(spec, env: Environment) -> list[SpecError]:
    governance = spec["governance"]
    errors = []
    for key in governance["required_tags"]:
        if key not in spec.get("tags", {}):
            errors.append(SpecError(("tags",), f"required tag '{key}' is not set for {env.name}",
                                    hint=f"add it under tags, or under environments.{env.name}.overrides.tags",
                                    key=True))
    rules = governance["rules"].get(env.name)
    if rules:
        errors += _rules(spec, env, rules)
    return errors


def _rules(spec, env: Environment, rules: dict) -> list[SpecError]:
    errors = []
    where = f"governance.rules.{env.name}"
    models = spec.get("models", {})
    for name in sorted(models):
        model = models[name]
        endpoint = model.get("endpoint") or {}
        if rules.get("manual_approval") and model["registry"]["approval"] != "manual":
            errors.append(SpecError(("models", name, "registry", "approval"),
                                    f"{where}.manual_approval: {name} approves versions automatically in {env.name}",
                                    hint="set registry.approval: manual"))
        if not endpoint.get("model_version"):
            continue
        if rules.get("data_capture") and not endpoint["data_capture_percent"]:
            errors.append(SpecError(("models", name, "endpoint"),
                                    f"{where}.data_capture: the {name} endpoint in {env.name} captures no data",
                                    hint="set endpoint.data_capture_percent (for example 20)"))
        if rules.get("min_instances") and endpoint["min_instances"] < rules["min_instances"]:
            errors.append(SpecError(("models", name, "endpoint", "min_instances"),
                                    f"{where}.min_instances: the {name} endpoint in {env.name} keeps {endpoint['min_instances']} "
                                    f"instance(s), the rule requires {rules['min_instances']}",
                                    hint=f"set endpoint.min_instances: {rules['min_instances']} in environments.{env.name}.overrides"))
    data = spec.get("data", {})
    if rules.get("object_lock"):
        used = {ds["bucket"] for ds in data.get("datasets", {}).values()}
        for bucket in sorted(used):
            if not data["buckets"][bucket].get("object_lock_days"):
                errors.append(SpecError(("data", "buckets", bucket),
                                        f"{where}.object_lock: bucket {bucket} holds datasets without Object Lock in {env.name}",
                                        hint="set object_lock_days (Object Lock can only be turned on when the bucket is created)",
                                        key=True))
    if rules.get("no_nat") and spec.get("network", {}).get("nat"):
        errors.append(SpecError(("network", "nat"), f"{where}.no_nat: {env.name} has internet egress through NAT",
                                hint="set network.nat: false"))
    return errors
