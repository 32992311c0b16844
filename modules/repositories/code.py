"""Code repositories: CodeCommit repositories with an approval rule on the default
branch, or existing GitHub repositories reached through one CodeConnections
connection per environment (a person confirms it once in the console).

`approvals: 0` is the schema's documented way to turn the rule off, so it is a choice,
not a mistake: the module declares checkov's finding (CKV2_AWS_37, no approval rule)
as an exception that names the setting, and the gate passes."""

from __future__ import annotations

import json

from mlops.module_api import BuildContext, literal, tf_name
from mlops.names import fit
from mlops.releases import Source


def build(ctx: BuildContext) -> dict[str, Source]:
    """Create the repositories; return, per name, what a pipeline's source action needs."""
    code, env, project = ctx.section["code"], ctx.env, ctx.spec["project"]
    key = ctx.imported("keys").platform
    sources: dict[str, Source] = {}
    connection = None
    if any(repo["provider"] == "github" for repo in code.values()):
        connection = ctx.resource("aws_codeconnections_connection", "github",
                                  {"name": fit(f"{project}-{env.name}-github", 32), "provider_type": "GitHub"},
                                  path=("repositories", "code"))
        ctx.output("github_connection_arn", connection.ref("arn"),
                   "CodeConnections connection to GitHub: PENDING until a person confirms it in the console")
    for name in sorted(code):
        repo, path = code[name], ("repositories", "code", name)
        if repo["provider"] == "github":
            sources[name] = Source("github", repo["default_branch"], connection=connection, full_id=repo["github"])
            continue
        resource = ctx.resource("aws_codecommit_repository", tf_name("code", name), {
            "repository_name": f"{project}-{name}",
            "description": literal(repo.get("description") or f"{project}: {name}"),
            "default_branch": repo["default_branch"],
            "kms_key_id": key,
        }, path=path, prevent_destroy=True)
        if repo["approvals"]:
            _approval_rule(ctx, name, repo, resource, path)
        else:  # the schema's documented way to turn the rule off: the spec's choice, declared
            ctx.exception("CKV2_AWS_37", resource, f"repositories.code.{name}.approvals is 0 in mlops.yaml: merges into "
                          f"{repo['default_branch']} need no approval, by the spec's choice")
        ctx.output(f"code_{tf_name(name)}_clone_url", resource.ref("clone_url_http"), f"HTTPS clone URL of {name}",
                   path=("repositories", "code", name))
        sources[name] = Source("codecommit", repo["default_branch"], repository=resource)
    return sources


def _approval_rule(ctx: BuildContext, name: str, repo: dict, resource, path: tuple) -> None:
    project, env = ctx.spec["project"], ctx.env
    rule = {"Type": "Approvers", "NumberOfApprovalsNeeded": repo["approvals"]}
    if repo.get("approvers"):
        rule["ApprovalPoolMembers"] = sorted(repo["approvers"])
    content = {"Version": "2018-11-08", "DestinationReferences": [f"refs/heads/{repo['default_branch']}"],
               "Statements": [rule]}
    template = ctx.resource("aws_codecommit_approval_rule_template", tf_name("code", name), {
        "name": fit(f"{project}-{env.name}-{name}-approvals", 100),
        "description": f"{repo['approvals']} approval(s) before merging into {repo['default_branch']}",
        "content": json.dumps(content, sort_keys=True),
    }, path=path + ("approvals",))
    ctx.resource("aws_codecommit_approval_rule_template_association", tf_name("code", name), {
        "approval_rule_template_name": template.ref("name"),
        "repository_name": resource.ref("repository_name"),
    }, path=path + ("approvals",))
