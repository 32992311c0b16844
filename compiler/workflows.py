"""The CI that `mlops ci github|gitlab` writes for a spec: check on every change, plan
each environment on a pull (merge) request, apply each on the main branch in order,
prod behind a protected environment; credentials from OIDC, never stored keys.

Text with comments, not dumped data, for the same reason as the starter spec: whoever
owns the repository reads and adapts it. tests/test_ci.py holds both to the workflow
schemas (check-jsonschema's copies of GitHub's and GitLab's) and to a workflow linter.
"""

from __future__ import annotations

from dataclasses import dataclass

TERRAFORM = "1.11.4"  # >= 1.10, for the S3 backend's native locking
CHECKOV = "3.3.30"  # the version tools/setup.sh installs, whose findings the exceptions are written against
# Actions pinned to a commit, not a movable tag (a tag can be re-pointed at other code);
# the release each commit is, for the reader and for Dependabot.
ACTIONS = {
    "checkout": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2",
    "setup-python": "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0",
    "setup-terraform": "hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd  # v3.1.2",
    "aws-credentials": "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502  # v4.0.2",
}


@dataclass(frozen=True)
class Target:
    """One environment CI deploys: its name, region and the role CI assumes there."""

    name: str
    region: str
    role_arn: str


def github(spec_file: str, targets: list[Target], install: str, branch: str = "main") -> str:
    envs = ", ".join(t.name for t in targets)
    lines = [
        f"# Written by `mlops ci github` from {spec_file}; run it again after adding or removing an environment.",
        "# Pull requests: validate, compile --check, the checkov gate, `mlops diff` as annotations, and a",
        "# terraform plan per environment posted to the pull request. The main branch: apply per environment,",
        "# in order. Credentials come from GitHub's OIDC provider, and only jobs of an environment's GitHub",
        "# environment may assume its role (`mlops bootstrap` sets that up): the plan and apply jobs of prod",
        "# run under prod's protection rules (Settings -> Environments: required reviewers, deployment branches).",
        "name: mlops",
        "on:",
        "  pull_request:",
        f"    paths: [{spec_file}, generated/**]",
        "  push:",
        f"    branches: [{branch}]",
        f"    paths: [{spec_file}, generated/**]",
        "permissions:",
        "  contents: read",
        "concurrency:",
        "  group: mlops-${{ github.ref }}",
        "  cancel-in-progress: false",
        "jobs:",
        "  check:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        f"      - uses: {ACTIONS['checkout']}",
        "        with: {fetch-depth: 0, persist-credentials: false}",
        f"      - uses: {ACTIONS['setup-python']}",
        '        with: {python-version: "3.11"}',
        f"      - run: pip install '{install}'",
        f"      - run: mlops validate -f {spec_file}",
        f"      - run: mlops compile --check -f {spec_file}",
        "      - name: what the change does (annotations on the spec lines)",
        "        if: github.event_name == 'pull_request'",
        "        env: {BASE_REF: \"${{ github.base_ref }}\"}",
        f'        run: mlops diff -f {spec_file} --base "origin/$BASE_REF" --format github --fail-on destroy',
        "      - name: checkov gate",
        "        run: |",
        "          python -m venv /tmp/checkov",
        f'          /tmp/checkov/bin/pip install "checkov=={CHECKOV}"',
        "          mlops gate --checkov /tmp/checkov/bin/checkov",
    ]
    for target in targets:
        lines += _github_plan(target)
    previous = "check"
    for target in targets:
        lines += _github_apply(target, previous, branch)
        previous = f"apply-{target.name}"
    return "\n".join(lines) + "\n"


def _github_terraform(target: Target) -> list[str]:
    return [
        f"      - uses: {ACTIONS['checkout']}",
        "        with: {persist-credentials: false}",
        f"      - uses: {ACTIONS['setup-terraform']}",
        f'        with: {{terraform_version: "{TERRAFORM}", terraform_wrapper: false}}',
        f"      - uses: {ACTIONS['aws-credentials']}",
        f"        with: {{role-to-assume: \"{target.role_arn}\", aws-region: {target.region}}}",
        f"      - run: terraform -chdir=generated/{target.name} init -input=false",
    ]


def _github_plan(target: Target) -> list[str]:
    return [
        f"  plan-{target.name}:",
        "    needs: check",
        "    if: github.event_name == 'pull_request'",
        "    runs-on: ubuntu-latest",
        f"    environment: {target.name}",
        "    permissions: {contents: read, id-token: write, pull-requests: write}",
        "    steps:",
        *_github_terraform(target),
        "      - shell: bash  # -o pipefail: a failed plan fails the job, though its output goes through tee",
        f"        run: terraform -chdir=generated/{target.name} plan -input=false -no-color | tee plan.txt",
        "      - name: post the plan's summary to the pull request",
        "        env: {GH_TOKEN: \"${{ github.token }}\", PR: \"${{ github.event.pull_request.number }}\"}",
        "        run: |",
        "          summary=$(grep -E '^(Plan:|No changes)' plan.txt || echo 'no summary line')",
        f'          gh pr comment "$PR" --body "terraform plan of {target.name}: $summary"',
    ]


def _github_apply(target: Target, after: str, branch: str) -> list[str]:
    return [
        f"  apply-{target.name}:",
        f"    needs: {after}",
        f"    if: github.event_name == 'push' && github.ref == 'refs/heads/{branch}'",
        "    runs-on: ubuntu-latest",
        f"    environment: {target.name}",
        "    permissions: {contents: read, id-token: write}",
        "    steps:",
        *_github_terraform(target),
        f"      - run: terraform -chdir=generated/{target.name} apply -input=false -auto-approve",
    ]


def gitlab(spec_file: str, targets: list[Target], install: str, branch: str = "main") -> str:
    lines = [
        f"# Written by `mlops ci gitlab` from {spec_file}; run it again after adding or removing an environment.",
        "# Merge requests: validate, compile --check, the checkov gate and `mlops diff`. The deploy branch",
        "# (protect it): a terraform plan, then apply, per environment in the spec's order; the last one (prod,",
        "# say) waits for someone to start it. Credentials: GitLab's OIDC ID token, exchanged for each",
        "# environment's role, which trusts only the deploy branch (`mlops bootstrap` sets that up).",
        "stages: [check, plan, apply]",
        "default:",
        "  image: python:3.11",
        "check:",
        "  stage: check",
        "  script:",
        f"    - pip install '{install}'",
        f"    - mlops validate -f {spec_file}",
        f"    - mlops compile --check -f {spec_file}",
        f'    - if [ -n "$CI_MERGE_REQUEST_DIFF_BASE_SHA" ]; then mlops diff -f {spec_file} '
        '--base "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --fail-on destroy; fi',
        f'    - python -m venv /tmp/checkov && /tmp/checkov/bin/pip install "checkov=={CHECKOV}"',
        "    - mlops gate --checkov /tmp/checkov/bin/checkov",
    ]
    for target in targets:
        lines += _gitlab_job("plan", target, "plan -input=false", f'$CI_COMMIT_BRANCH == "{branch}"')
    previous = None
    for index, target in enumerate(targets):
        rule = f'$CI_COMMIT_BRANCH == "{branch}"'
        lines += _gitlab_job("apply", target, "apply -input=false -auto-approve", rule,
                             manual=index == len(targets) - 1, after=previous)
        previous = f"apply-{target.name}"
    return "\n".join(lines) + "\n"


def _gitlab_job(stage: str, target: Target, command: str, rule: str, manual: bool = False,
                after: str | None = None) -> list[str]:
    job = [
        f"{stage}-{target.name}:",
        f"  stage: {stage}",
        f"  image: {{name: hashicorp/terraform:{TERRAFORM}, entrypoint: [\"\"]}}",
        "  id_tokens:",
        "    AWS_TOKEN: {aud: sts.amazonaws.com}",
        "  variables:",
        f'    AWS_ROLE_ARN: "{target.role_arn}"',
        f"    AWS_REGION: {target.region}",
        "    AWS_WEB_IDENTITY_TOKEN_FILE: /tmp/web-identity-token",
        "  script:",
        '    - printf "%s" "$AWS_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
        f"    - terraform -chdir=generated/{target.name} init -input=false",
        f"    - terraform -chdir=generated/{target.name} {command}",
        "  rules:",
        f"    - if: '{rule}'" + ("\n      when: manual" if manual else ""),
    ]
    if stage == "apply":
        job.insert(2, f"  environment: {{name: {target.name}}}")
        if after:
            job.insert(3, f"  needs: [{after}]")
    return job
