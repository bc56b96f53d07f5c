"""Supply-chain and CI/CD rules: pipeline integrity, signing, deployment credentials, dependencies.

The rules here look at ``ci-pipeline`` and ``artifact-registry`` components and the flows
between them and the runtime: what code a pipeline runs and with which secrets, what it can
change in production, whether what it builds is signed, attested and inventoried, and where
dependencies come from. They follow the OWASP Top 10 CI/CD Security Risks and SLSA.

Some facts are also checked by other domains, whose rules supersede the ones here (one weakness,
one finding; ``RuleMeta.supersedes``): Kubernetes pulls of unsigned images
(``k8s-unverified-image-pull``), ``deploy_auth: static-token`` and ``deploy_role:
cluster-admin`` of a pipeline that deploys to a Kubernetes API server
(``k8s-long-lived-sa-token``, ``k8s-cluster-admin-binding``), and ECR tag mutability and scan on
push (``aws-ecr-*``). cicd-static-deploy-credentials supersedes
``aws-iam-long-lived-access-keys`` on a pipeline whose static ``deploy_auth`` is its IAM user
access keys.

Technology facts are read from ``properties:``; every key is documented in
``docs/rules/supply-chain-properties.md``. An unstated property never makes a rule fire; on a
pipeline that deploys (a flow to anything but registries and monitoring) or publishes (a flow
to an artifact registry), four rules ask the property that decides their threat instead
(``RuleMeta.asks``: an applicable threat with the question, under the finding's fingerprint).
"""

from __future__ import annotations

from threatforge.model import Component, ComponentKind, Exposure, Flow, Model
from threatforge.rules.builtin._facts import (
    INFO,
    PROCESS_KINDS,
    STATIC_DEPLOY_AUTH,
    E,
    R,
    S,
    T,
    cluster_says,
    in_cluster,
    said,
    tech_is,
    untrusted_party,
    word,
)
from threatforge.rules.interface import (
    PASS,
    Ask,
    AskFact,
    Confidence,
    Fire,
    Rule,
    RuledOut,
    RuleMeta,
    Skip,
    Supersedes,
    Target,
    Unknown,
    Verdict,
    rule,
)

__all__ = ["RULES"]

DOMAIN = "supply-chain"
CICD_TOP10 = "https://owasp.org/www-project-top-10-ci-cd-security-risks/"
GITHUB_HARDENING = (
    "https://docs.github.com/en/actions/security-guides/security-hardening-for-github-actions"
)

CI = ComponentKind.CI_PIPELINE
REGISTRY = ComponentKind.ARTIFACT_REGISTRY
CI_KINDS = frozenset({CI})
REGISTRY_KINDS = frozenset({REGISTRY})
BUILD_KINDS = frozenset({CI, REGISTRY})
RUNTIME_KINDS = PROCESS_KINDS | CI_KINDS
"""Components that run artefacts they pull."""
# Skips whose reason never varies are built once: a Skip is frozen, so sharing one is safe.
ECR_TECH = ("aws.ecr*",)
PACKAGE_REGISTRY_TECH = ("codeartifact", "artifactory", "nexus")
"""Registries of code packages (npm, PyPI, Maven) a team runs for its internal packages."""

BROAD_DEPLOY_ROLES = frozenset(
    {"admin", "administrator", "administratoraccess", "poweruseraccess", "owner", "root", "*",
     "organization-admin", "cluster-admin"}
)
"""``deploy_role`` values that grant far more than deploying needs."""
PLAINTEXT_CI_SECRETS = frozenset({"plaintext", "plain", "unmasked", "clear", "cleartext"})


# --- facts ------------------------------------------------------------------------------------


def _stated_false(component: Component, *keys: str) -> list[str]:
    """Evidence for each of ``keys`` stated as false."""
    return [said(k, False) for k in keys if component.prop(k) is False]


def _deploy_targets(model: Model, component: Component) -> list[str]:
    """Where a pipeline deploys: flows out to anything but artifact registries and monitoring."""
    skipped = (REGISTRY, ComponentKind.MONITORING)
    return sorted({f.target for f in model.graph.flows_out(component.id)
                   if model.components[f.target].kind not in skipped})


def _deploy_fact(model: Model, component: Component, key: str, bad: frozenset[str]) -> Verdict:
    """Fire on a ``deploy_*`` value in ``bad``, leaving Kubernetes deployments to the k8s rules."""
    value = word(component.prop(key))
    if value is None or value not in bad:
        return PASS
    return Fire((said(key, value),))


def _registries(model: Model, component: Component) -> list[str]:
    """The artifact registries a pipeline publishes to (its flows to them)."""
    return sorted({f.target for f in model.graph.flows_out(component.id)
                   if model.components[f.target].kind is REGISTRY})


def _deploys_words(model: Model, component: Component) -> str:
    return "deploys to " + ", ".join(f"'{t}'" for t in _deploy_targets(model, component))


# --- the pipeline -----------------------------------------------------------------------------


@rule(RuleMeta(
    id="cicd-unpinned-third-party-actions",
    title="{element} runs third-party actions or plugins by mutable reference",
    description="Actions, orbs and plugins referenced by a tag or branch run whatever their "
    "maintainer (or whoever compromises them) publishes next, inside the pipeline and with its "
    "secrets, as in the tj-actions/changed-files and Codecov compromises.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(829, 494),
    capec=(538,), asvs=("V10.3.2", "V14.2.4"), attack=("T1195.001",), kinds=CI_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN,
    mitigations=(
        "Pin every third-party action to a full commit SHA (`uses: org/action@<40-hex>`) and "
        "let Dependabot or Renovate propose updates; enforce it with the repository or "
        "organisation policy 'require actions to be pinned to a full-length commit SHA'.",
        "Allow-list the actions and plugins the organisation may use, and mirror Jenkins "
        "plugins or CircleCI orbs through an internal, reviewed source.",
    ),
    detection="CI pipeline with `properties.pinned_actions: false` or "
    "`properties.third_party_plugins_pinned: false`. On a pipeline that deploys, an "
    "applicable threat (with the question) while neither is stated.",
    false_positives="First-party actions from the organisation's own repositories protected by "
    "branch protection; accept with justification.",
    references=(
        f"{GITHUB_HARDENING}#using-third-party-actions",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "Are the third-party actions and plugins {element} runs pinned to a full commit SHA or "
        "digest?",
        (AskFact("properties.pinned_actions", confirms=("false",), rules_out=("true",)),),
        threat="A compromised third-party action or plugin may run in {element} with its "
        "deployment secrets",
    ),),
))
def cicd_unpinned_third_party_actions(component: Component, model: Model) -> Verdict:
    """Unpinned third-party actions or plugins fire; a pipeline that deploys is asked."""
    evidence = _stated_false(component, "pinned_actions", "third_party_plugins_pinned")
    if evidence:
        return Fire(tuple(evidence))
    if component.prop("pinned_actions") is True:
        return RuledOut(("properties.pinned_actions: true",))
    if not _deploy_targets(model, component):
        return PASS
    return Unknown(("properties.pinned_actions",), why=(_deploys_words(model, component),))


@rule(RuleMeta(
    id="cicd-untrusted-pr-code-with-secrets",
    title="{element} runs untrusted pull-request code with its secrets",
    description="A workflow that checks out and builds code from forks or unreviewed pull "
    "requests while holding repository secrets or a write token (GitHub `pull_request_target`, "
    "`workflow_run`) lets any outside contributor exfiltrate those secrets or push to the "
    "repository: poisoned pipeline execution.",
    target=Target.COMPONENT, likelihood=4, impact=4, stride=(E, INFO), cwe=(829, 668),
    capec=(511,), attack=("T1195.002", "T1552"), kinds=CI_KINDS, confidence=Confidence.HIGH,
    domain=DOMAIN,
    mitigations=(
        "Build untrusted pull requests with the `pull_request` trigger only (no secrets, "
        "read-only `GITHUB_TOKEN`); run steps that need secrets in a separate workflow on "
        "trusted code, and require approval for workflows from first-time contributors.",
        "Set `permissions:` to read-only at the workflow level and keep deployment secrets in "
        "environments with required reviewers.",
    ),
    detection="CI pipeline with `properties.pr_secrets_exposed: true`. On a pipeline that "
    "deploys, an applicable threat (with the question) while it is not stated.",
    false_positives="Workflows that run on `pull_request_target` but never check out or execute "
    "the pull request's code (labelling, comments); do not state "
    "`pr_secrets_exposed: true` for them.",
    references=(
        "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "Does {element} run code from forks or unreviewed pull requests while holding secrets "
        "or a write token?",
        (AskFact("properties.pr_secrets_exposed", confirms=("true",), rules_out=("false",)),),
        threat="Code in an outside pull request may run in {element} and take its secrets "
        "(poisoned pipeline execution)",
    ),),
))
def cicd_untrusted_pr_code_with_secrets(component: Component, model: Model) -> Verdict:
    """Secrets exposed to pull-request code fire; a pipeline that deploys is asked."""
    exposed_to_prs = component.prop("pr_secrets_exposed")
    if exposed_to_prs is None:
        if not _deploy_targets(model, component):
            return PASS
        return Unknown(("properties.pr_secrets_exposed",),
                       why=(_deploys_words(model, component),))
    if exposed_to_prs is not True:
        return RuledOut(("properties.pr_secrets_exposed: false",))
    return Fire((said("pr_secrets_exposed", True),))


@rule(RuleMeta(
    id="cicd-static-deploy-credentials",
    title="{element} deploys with long-lived credentials ({detail})",
    description="A pipeline that pushes to production with static keys or passwords keeps "
    "production credentials in the CI system's secret store for months: any pipeline "
    "compromise, leaked build log or malicious dependency can copy them and use them from "
    "anywhere, long after the job ended.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(522,),
    asvs=("V2.10.1",), attack=("T1552.001", "T1078.004"), kinds=CI_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, compliance=("pci-dss-4.0:8.6.3",),
    mitigations=(
        "Federate the pipeline's identity instead: GitHub Actions / GitLab OIDC to an IAM role "
        "(`AssumeRoleWithWebIdentity` with `sub` pinned to the repository and environment), "
        "workload identity federation on GCP and Azure; delete the static keys.",
        "Prefer pull-based deployment (Argo CD or Flux inside the cluster) so the CI system "
        "holds no production credentials at all.",
    ),
    detection="CI pipeline with `properties.deploy_auth` static-key, long-lived-key, "
    "access-key, static-password, password, ssh-key, deploy-key, pat, personal-access-token or "
    "static-token. A `static-token` for a Kubernetes API server (the pipeline has a flow into a "
    "component with tech aws.eks, k8s.apiserver... or named kube-apiserver) is reported by "
    "k8s-long-lived-sa-token. The pipeline's IAM user access keys (`aws_access_keys: true`) are "
    "this finding too: aws-iam-long-lived-access-keys leaves such pipelines to this rule. On a "
    "pipeline that deploys, an applicable threat (with the question) while `deploy_auth` is not "
    "stated; any other stated value (`oidc`, `workload-identity`) rules it out.",
    false_positives="Targets that accept nothing but static credentials; keep them in a secrets "
    "manager with rotation and accept with justification.",
    references=(
        "https://docs.github.com/en/actions/deployment/security-hardening-your-deployments/"
        "configuring-openid-connect-in-amazon-web-services",
        f"{CICD_TOP10}",
    ),
    supersedes=(Supersedes("aws-iam-long-lived-access-keys"),),
    asks=(Ask(
        "How does {element} authenticate to what it deploys to: short-lived federated "
        "credentials (OIDC) or a static key?",
        (AskFact("properties.deploy_auth", confirms=("static-key",), rules_out=("oidc",)),),
        threat="Long-lived deployment credentials may be copied out of {element} and used "
        "from anywhere",
    ),),
))
def cicd_static_deploy_credentials(component: Component, model: Model) -> Verdict:
    """Fire on pipelines that deploy with static credentials."""
    targets = _deploy_targets(model, component)
    stated = word(component.prop("deploy_auth"))
    if stated is None:
        if not targets:
            return PASS
        return Unknown(("properties.deploy_auth",), why=(_deploys_words(model, component),))
    verdict = _deploy_fact(model, component, "deploy_auth", STATIC_DEPLOY_AUTH)
    if not isinstance(verdict, Fire):
        return RuledOut((said("deploy_auth", stated),))
    evidence = verdict.evidence + ((f"deploys to {', '.join(targets)}",) if targets else ())
    return Fire(evidence, detail=str(component.prop("deploy_auth")))


FEDERATED_DEPLOY_AUTH = frozenset({"oidc", "workload-identity"})


@rule(RuleMeta(
    id="cicd-oidc-trust-too-broad",
    title="The cloud role {element} assumes through OIDC may trust other repositories or "
    "branches",
    description="Federated deployment credentials are only as narrow as the trust policy that "
    "accepts the pipeline's OIDC token: a role that checks only the audience or the "
    "organisation (no `sub` condition, or a wildcard) lets any repository, fork, branch or "
    "pull-request workflow of that CI provider assume it and deploy to production.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(S, E), cwe=(863,),
    attack=("T1078.004",), kinds=CI_KINDS, domain=DOMAIN,
    mitigations=(
        "Pin the role's trust policy to the exact subject: `token.actions.githubusercontent.com"
        ":sub` equal to `repo:ORG/REPO:environment:production` (or the protected branch), with "
        "`aud` `sts.amazonaws.com`; likewise GitLab `project_path` and `ref_protected`, GCP "
        "workload identity attribute conditions.",
        "Require a protected deployment environment with reviewers for the jobs that request "
        "the production token.",
    ),
    detection="CI pipeline that deploys and states `properties.deploy_auth: oidc` or "
    "`workload-identity`. An applicable threat until `properties.oidc_subject_pinned` is "
    "stated; `false` fires.",
    false_positives="Roles assumed only by a single-repository CI provider account; state "
    "`oidc_subject_pinned: true`.",
    references=(
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-"
        "your-deployments/about-security-hardening-with-openid-connect",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "Does the cloud role {element} assumes accept only its own repository and protected "
        "branch or environment (the OIDC `sub` claim pinned, no wildcard)?",
        (AskFact("properties.oidc_subject_pinned", confirms=("false",), rules_out=("true",)),),
        threat="Another repository or branch may assume the deployment role of {element}",
    ),),
))
def cicd_oidc_trust_too_broad(component: Component, model: Model) -> Verdict:
    """A pipeline that deploys with federated credentials whose trust may be too broad."""
    stated = word(component.prop("deploy_auth"))
    if stated not in FEDERATED_DEPLOY_AUTH:
        return PASS
    if not _deploy_targets(model, component):
        return PASS
    why = (said("deploy_auth", str(stated)), _deploys_words(model, component))
    value = component.prop("oidc_subject_pinned")
    if value is None:
        return Unknown(("properties.oidc_subject_pinned",), why=why)
    if value is True:
        return RuledOut((said("oidc_subject_pinned", True),))
    return Fire((*why, said("oidc_subject_pinned", False)))


@rule(RuleMeta(
    id="cicd-overprivileged-deploy-role",
    title="{element} deploys with an administrator role ({detail})",
    description="A deployment identity with administrator rights lets every pipeline run, and "
    "every compromise of the pipeline, do anything in the target account or project: read all "
    "data, create users, disable logging.",
    target=Target.COMPONENT, likelihood=3, impact=5, stride=(E,), cwe=(250, 269),
    asvs=("V1.4.3",), attack=("T1078.004", "T1098"), kinds=CI_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, compliance=("pci-dss-4.0:7.2.5",),
    properties=frozenset({"deploy_role"}),
    mitigations=(
        "Give each pipeline a deployment role limited to the services and resources it "
        "deploys (CloudFormation/CDK execution role with a permissions boundary, Terraform plan "
        "and apply roles split, no `iam:*` beyond what the stack needs), per environment.",
        "Run infrastructure changes that need broad rights through a reviewed, separate "
        "pipeline with manual approval.",
    ),
    detection="CI pipeline whose `properties.deploy_role` is admin, administrator, "
    "AdministratorAccess, PowerUserAccess, owner, root, organization-admin, cluster-admin or `*`. "
    "A `cluster-admin` role on a Kubernetes API server the pipeline has a flow into is reported "
    "by k8s-cluster-admin-binding.",
    false_positives="Bootstrap pipelines that create accounts or landing zones need broad rights; "
    "run them with manual approval and accept with justification.",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-"
        "privilege",
        f"{CICD_TOP10}",
    ),
))
def cicd_overprivileged_deploy_role(component: Component, model: Model) -> Verdict:
    """Fire on pipelines whose deployment role is an administrator."""
    verdict = _deploy_fact(model, component, "deploy_role", BROAD_DEPLOY_ROLES)
    if not isinstance(verdict, Fire):
        return verdict
    return Fire(verdict.evidence, detail=str(component.prop("deploy_role")))


@rule(RuleMeta(
    id="cicd-plaintext-secrets",
    title="{element} keeps secrets in plain or unmasked CI variables",
    description="Secrets stored as plain CI variables are shown to everyone who can edit the "
    "project settings, and unmasked ones are printed into build logs that many people and "
    "tools can read long after the build.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(INFO,), cwe=(312, 532),
    asvs=("V2.10.4", "V6.4.1"), attack=("T1552.001",), kinds=CI_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN, compliance=("pci-dss-4.0:8.6.2",),
    mitigations=(
        "Keep secrets in the CI system's encrypted secret store (GitHub environment secrets, "
        "GitLab masked and protected variables) or fetch them at run time from Secrets Manager "
        "or Vault with the job's federated identity; rotate every secret that was stored plain.",
    ),
    detection="CI pipeline with `properties.secrets_in_ci_variables` plaintext, plain, "
    "unmasked or cleartext. On a pipeline that deploys, an applicable threat (with the "
    "question) while it is not stated; `masked`, `secret-store` or `oidc` rule it out.",
    false_positives="Non-secret configuration stored as plain variables (region names, feature "
    "flags); the key describes secrets only.",
    references=(
        "https://docs.gitlab.com/ee/ci/variables/#mask-a-cicd-variable",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "How does {element} keep the secrets its jobs use: masked in the CI system's secret "
        "store, or as plain variables?",
        (AskFact("properties.secrets_in_ci_variables", confirms=("plaintext",),
                 rules_out=("masked",)),),
        threat="Secrets of {element} may be read from its settings or build logs",
    ),),
))
def cicd_plaintext_secrets(component: Component, model: Model) -> Verdict:
    """Fire on pipelines that keep secrets in plain or unmasked variables; a pipeline that
    deploys is asked."""
    value = word(component.prop("secrets_in_ci_variables"))
    if value is None:
        if not _deploy_targets(model, component):
            return PASS
        return Unknown(("properties.secrets_in_ci_variables",),
                       why=(_deploys_words(model, component),))
    if value not in PLAINTEXT_CI_SECRETS:
        return RuledOut((said("secrets_in_ci_variables", value),))
    return Fire((said("secrets_in_ci_variables", value),))


@rule(RuleMeta(
    id="cicd-shared-runners",
    title="Build runners of {element} are shared across trust levels or reused between jobs",
    description="A runner that builds untrusted code and then production releases (or keeps "
    "state between jobs) lets one malicious job plant a backdoor in the workspace, the cache or "
    "the toolchain of the next one, and read the secrets it receives.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(653, 668),
    capec=(511,), attack=("T1195.002",), kinds=CI_KINDS, domain=DOMAIN,
    properties=frozenset({"runners_shared_across_trust_levels", "self_hosted_runners"}),
    mitigations=(
        "Use ephemeral, single-job runners (GitHub `--ephemeral` runners, Actions Runner "
        "Controller, GitLab autoscaling with fresh VMs) and separate runner groups per trust "
        "level: never let public or fork builds use the runners that deploy to production.",
    ),
    detection="CI pipeline with `properties.runners_shared_across_trust_levels: true`, or with "
    "`properties.self_hosted_runners: true` and `properties.ephemeral_runners: false`. With "
    "`self_hosted_runners: true` and `ephemeral_runners` not stated, an applicable threat "
    "(with the question).",
    false_positives="Runner pools shared by projects of the same trust level and owner; accept "
    "with justification.",
    references=(
        "https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/"
        "about-self-hosted-runners#self-hosted-runner-security",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "Does each of {element}'s self-hosted runners run a single job and get destroyed "
        "after it?",
        (AskFact("properties.ephemeral_runners", confirms=("false",), rules_out=("true",)),),
        threat="A job on {element}'s self-hosted runners may plant a backdoor for the next "
        "job or read its secrets",
    ),),
))
def cicd_shared_runners(component: Component, model: Model) -> Verdict:
    """Fire on pipelines whose runners mix trust levels or persist between jobs; self-hosted
    runners whose lifetime is not stated are asked."""
    evidence: list[str] = []
    if component.prop("runners_shared_across_trust_levels") is True:
        evidence.append(said("runners_shared_across_trust_levels", True))
    self_hosted = component.prop("self_hosted_runners") is True
    ephemeral = component.prop("ephemeral_runners")
    if self_hosted and ephemeral is False:
        evidence += [said("self_hosted_runners", True), said("ephemeral_runners", False)]
    if evidence:
        return Fire(tuple(evidence))
    if not self_hosted:
        return PASS
    if ephemeral is True:
        return RuledOut((said("ephemeral_runners", True),))
    return Unknown(("properties.ephemeral_runners",),
                   why=(said("self_hosted_runners", True),))


@rule(RuleMeta(
    id="cicd-branch-protection-disabled",
    title="Code that {element} ships can reach production without review",
    description="Without branch protection (required reviews, status checks, no force "
    "pushes), or when the pipeline's own token can change those rules, one compromised "
    "developer account or pipeline step can push code straight to the release branch.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, R), cwe=(284,),
    capec=(511,), attack=("T1195.002",), kinds=CI_KINDS, domain=DOMAIN,
    compliance=("pci-dss-4.0:6.2.3",),
    mitigations=(
        "Protect release branches with rulesets: pull requests with at least one approving "
        "review from a code owner, required status checks, signed commits, no force pushes, "
        "and no bypass for administrators or the CI app.",
        "Give the pipeline a token without `administration` rights so it cannot change the "
        "rules that constrain it.",
    ),
    detection="CI pipeline with `properties.branch_protection: false` or "
    "`properties.pipeline_can_modify_protections: true`. On a pipeline that deploys, an "
    "applicable threat (with the question) while `branch_protection` is not stated.",
    false_positives="Repositories whose pipelines never deploy to production (documentation, "
    "prototypes); accept with justification.",
    references=(
        "https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-"
        "repository/managing-rulesets/about-rulesets",
        f"{CICD_TOP10}",
    ),
    asks=(Ask(
        "Do the branches {element} releases from require a reviewed pull request (code owners, "
        "status checks, no force pushes, no bypass for administrators)?",
        (AskFact("properties.branch_protection", confirms=("false",), rules_out=("true",)),),
        threat="Code pushed without review may be shipped by {element}",
    ),),
))
def cicd_branch_protection_disabled(component: Component, model: Model) -> Verdict:
    """Fire on pipelines whose source branches are unprotected or self-modifiable; a pipeline
    that deploys is asked."""
    evidence = _stated_false(component, "branch_protection")
    if component.prop("pipeline_can_modify_protections") is True:
        evidence.append(said("pipeline_can_modify_protections", True))
    if evidence:
        return Fire(tuple(evidence))
    if component.prop("branch_protection") is True:
        return RuledOut((said("branch_protection", True),))
    if not _deploy_targets(model, component):
        return PASS
    return Unknown(("properties.branch_protection",), why=(_deploys_words(model, component),))


# --- artefacts --------------------------------------------------------------------------------


@rule(RuleMeta(
    id="supply-unsigned-artifacts",
    title="{element} publishes unsigned artifacts",
    description="Images and packages published without a signature cannot be told apart from "
    "ones pushed by an attacker with registry write access, a compromised pipeline step or a "
    "typo-squatted name: deployment verification has nothing to check.",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, S), cwe=(345, 494),
    capec=(439,), asvs=("V10.3.2",), attack=("T1195.002", "T1525"), kinds=CI_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN,
    asks=(Ask(
        "Does {element} sign every image and package it publishes?",
        (AskFact("properties.image_signing", confirms=("false",), rules_out=("true",)),),
        threat="An image or package pushed by someone else may pass for one {element} built",
    ),),
    mitigations=(
        "Sign every image and package at build time with a key the pipeline cannot export "
        "(Sigstore cosign keyless with the CI OIDC identity, AWS Signer, Notation with a KMS "
        "key) and push the signature next to the artifact.",
        "Verify the signature at deployment (Kyverno or Sigstore policy-controller, ECS/Lambda "
        "code signing configurations).",
    ),
    detection="CI pipeline with `properties.image_signing: false` or "
    "`properties.artifact_signing: false`, or a flow from it to an artifact-registry with "
    "`signed: false`. On a pipeline that publishes to a registry, an applicable threat (with "
    "the question) while none of these is stated.",
    false_positives="Artifacts consumed only inside the same pipeline run (test images); accept "
    "with justification.",
    references=(
        "https://docs.sigstore.dev/cosign/signing/overview/",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-signing.html",
    ),
))
def supply_unsigned_artifacts(component: Component, model: Model) -> Verdict:
    """Fire on pipelines that state they publish without signing."""
    evidence = _stated_false(component, "image_signing", "artifact_signing")
    evidence += [f"publishes to '{f.target}' with signed: false"
                 for f in model.graph.flows_out(component.id)
                 if model.components[f.target].kind is REGISTRY and f.signed is False]
    if evidence:
        return Fire(tuple(evidence))
    registries = _registries(model, component)
    if not registries:
        return PASS
    if component.prop("image_signing") is True or component.prop("artifact_signing") is True:
        key = "image_signing" if component.prop("image_signing") is True else "artifact_signing"
        return RuledOut((f"properties.{key}: true",))
    signed = [f for f in model.graph.flows_out(component.id)
              if f.target in registries and f.signed is True]
    if len(signed) == len(registries):
        return RuledOut((f"publishes to '{signed[0].target}' with signed: true",))
    return Unknown(("properties.image_signing",),
                   why=("publishes to " + ", ".join(f"'{r}'" for r in registries),))


@rule(RuleMeta(
    id="supply-artifact-pulled-without-verification",
    title="Artifacts on {element} are deployed without signature verification",
    description="A runtime that pulls images or code packages without verifying their "
    "signature runs whatever is in the registry, so write access to the registry (or to one "
    "tag) is enough to run code in production.",
    target=Target.FLOW, likelihood=3, impact=4, stride=(T, E), cwe=(494, 347), capec=(439,),
    source_kinds=REGISTRY_KINDS, target_kinds=RUNTIME_KINDS,
    asvs=("V10.3.2",), attack=("T1525",), domain=DOMAIN,
    mitigations=(
        "Enforce signature verification where the artifact is deployed: AWS Lambda code "
        "signing configuration with `UntrustedArtifactOnDeployment: Enforce`, ECS with a "
        "signature-verifying deployment step or admission hook, EC2 images built and "
        "verified through EC2 Image Builder.",
        "Deploy by digest, not by tag.",
    ),
    detection="Flow from an artifact-registry into a process or CI pipeline outside "
    "Kubernetes with `signed: false`, unless the target states "
    "`properties.image_signature_verification: true`; an applicable threat (with the "
    "question) when `signed` is not stated. Kubernetes pulls are reported by "
    "k8s-unverified-image-pull.",
    false_positives="Runtimes that pull only by digest from a registry that only the signing "
    "pipeline can write to; accept with justification.",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",
        "https://slsa.dev/spec/v1.0/verifying-artifacts",
    ),
    asks=(Ask(
        "Is the signature of every artifact on {element} verified before it runs?",
        (AskFact("signed", confirms=("false",), rules_out=("true",)),),
        threat="An artifact pushed to the registry by someone else may run where {element} "
        "delivers it",
    ),),
))
def supply_artifact_pulled_without_verification(flow: Flow, model: Model) -> Verdict:
    """Fire on registry pulls outside Kubernetes that state no signature is verified; ask
    where it is not stated."""
    source = model.components[flow.source]
    target = model.components[flow.target]
    if cluster_says(model, target, "image_signature_verification") is True:
        return RuledOut(("properties.image_signature_verification: true",))
    if flow.signed:
        return RuledOut(("signed: true",))
    pulls = f"'{target.id}' ({target.kind.value}) pulls from '{source.id}'"
    if flow.signed is None:
        if in_cluster(model, target):
            return Skip("a pull into a Kubernetes cluster: asked where the cluster admits images")
        return Unknown(("signed",), why=(pulls,))
    return Fire((pulls, "signed: false"))


@rule(RuleMeta(
    id="supply-no-provenance",
    title="{element} produces no build provenance",
    description="Without signed provenance (which source commit, which builder, which "
    "parameters) nobody can check that a production artifact was built from reviewed code by "
    "the official pipeline, and a build-system compromise like SolarWinds stays invisible.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T, R), cwe=(345,),
    asvs=("V10.3.2",), attack=("T1195.002",), kinds=CI_KINDS, domain=DOMAIN,
    properties=frozenset({"slsa_provenance"}),
    mitigations=(
        "Generate SLSA provenance in the pipeline (GitHub artifact attestations "
        "`actions/attest-build-provenance`, slsa-github-generator, Tekton Chains) on an "
        "isolated builder, and verify it before deployment (`gh attestation verify`, "
        "Kyverno `verifyImages` attestations).",
    ),
    detection="CI pipeline with `properties.slsa_provenance: false`.",
    false_positives="Internal tools that never reach production; accept with justification.",
    references=(
        "https://slsa.dev/spec/v1.0/requirements",
        "https://docs.github.com/en/actions/security-for-github-actions/using-artifact-"
        "attestations/using-artifact-attestations-to-establish-provenance-for-builds",
    ),
))
def supply_no_provenance(component: Component, model: Model) -> Verdict:
    """Fire on pipelines that state they produce no provenance."""
    evidence = _stated_false(component, "slsa_provenance")
    return Fire(tuple(evidence)) if evidence else PASS


@rule(RuleMeta(
    id="supply-no-sbom",
    title="No software bill of materials for what {element} builds",
    description="Without an SBOM per release, the next Log4Shell becomes a hunt through "
    "repositories and images: nobody can say quickly which services ship the vulnerable "
    "component, or prove to customers and assessors which do not.",
    target=Target.COMPONENT, likelihood=2, impact=3, stride=(T,), cwe=(1395, 1104),
    asvs=("V14.2.5",), attack=("T1195.001",), kinds=BUILD_KINDS, domain=DOMAIN,
    compliance=("pci-dss-4.0:6.3.2",),
    properties=frozenset({"sbom"}),
    mitigations=(
        "Generate an SBOM (CycloneDX or SPDX, e.g. with Syft or the build tool's plugin) for "
        "every artifact in the pipeline, attach it as a signed attestation, and feed it to a "
        "component inventory (Dependency-Track, Amazon Inspector SBOM export).",
    ),
    detection="CI pipeline or artifact registry with `properties.sbom: false`.",
    false_positives="Artifacts without third-party components (static content); accept with "
    "justification.",
    references=(
        "https://www.cisa.gov/sbom",
        "https://cyclonedx.org/specification/overview/",
    ),
))
def supply_no_sbom(component: Component, model: Model) -> Verdict:
    """Fire on pipelines or registries that state no SBOM is produced."""
    evidence = _stated_false(component, "sbom")
    return Fire(tuple(evidence)) if evidence else PASS


@rule(RuleMeta(
    id="supply-dependency-confusion",
    title="Dependencies of {element} can be resolved from a public registry",
    description="When internal package names are not scoped to the private registry, or the "
    "private registry falls back to the public one, an attacker who publishes a package with "
    "the same name and a higher version on npm, PyPI or Maven Central gets their code built "
    "into the product (dependency confusion).",
    target=Target.COMPONENT, likelihood=3, impact=4, stride=(T, E), cwe=(427, 829),
    capec=(538,), asvs=("V14.2.4",), attack=("T1195.001",), kinds=BUILD_KINDS,
    domain=DOMAIN,
    mitigations=(
        "Scope internal packages (npm `@org/` scopes mapped to the private registry, a single "
        "PyPI `--index-url` without `--extra-index-url`, Maven mirrors) and block public "
        "upstreams for internal names (AWS CodeArtifact package origin controls: "
        "`upstream=BLOCK`, Artifactory exclude patterns).",
        "Lock dependencies with hashes (`package-lock.json`, `pip --require-hashes`) and "
        "register the organisation's names on the public registries.",
    ),
    detection="CI pipeline or artifact registry with `properties.private_registry_scoping: "
    "false` or `properties.public_registry_fallback: true`. On a CI pipeline with a flow to or "
    "from one of the system's own package registries (tech codeartifact, artifactory, nexus), "
    "an applicable threat (with the question) while neither is stated.",
    false_positives="Ecosystems that only resolve from one registry by construction (Go modules "
    "with GOPRIVATE and GOPROXY=off, vendored dependencies); state "
    "`private_registry_scoping: true`.",
    references=(
        "https://docs.aws.amazon.com/codeartifact/latest/ug/package-origin-controls.html",
        "https://docs.npmjs.com/cli/v10/using-npm/scope",
    ),
    asks=(Ask(
        "Do the internal packages {element} builds with resolve only from the private "
        "registry (scoped names, a single index, public upstreams blocked for internal names)?",
        (AskFact("properties.private_registry_scoping", confirms=("false",),
                 rules_out=("true",)),),
        threat="A public package with an internal name may be built into what {element} "
        "ships (dependency confusion)",
    ),),
))
def supply_dependency_confusion(component: Component, model: Model) -> Verdict:
    """Fire on builds that can resolve internal names from public registries; a pipeline that
    uses a private package registry is asked."""
    evidence = _stated_false(component, "private_registry_scoping")
    if component.prop("public_registry_fallback") is True:
        evidence.append(said("public_registry_fallback", True))
    if evidence:
        return Fire(tuple(evidence))
    if component.prop("private_registry_scoping") is True:
        return RuledOut((said("private_registry_scoping", True),))
    if component.kind is not CI:
        return PASS
    graph = model.graph
    linked = sorted({
        other for f in (*graph.flows_out(component.id), *graph.flows_in(component.id))
        for other in (f.source, f.target)
        if other != component.id and _private_package_registry(model.components[other])
    })
    if not linked:
        return PASS
    return Unknown(("properties.private_registry_scoping",),
                   why=("uses the private package registry "
                        + ", ".join(f"'{r}'" for r in linked),))


def _private_package_registry(component: Component) -> bool:
    """One of the system's own package registries (npm, PyPI, Maven packages, not images)."""
    return (component.kind is REGISTRY and tech_is(component, PACKAGE_REGISTRY_TECH)
            and component.exposure is not Exposure.PUBLIC)


@rule(RuleMeta(
    id="supply-no-vulnerability-scanning",
    title="Dependencies and images of {element} are not scanned for known vulnerabilities",
    description="Without dependency and image scanning, components with published, exploited "
    "vulnerabilities ship to production unnoticed and stay there.",
    target=Target.COMPONENT, likelihood=3, impact=3, stride=(T, E), cwe=(1395,),
    asvs=("V14.2.1",), attack=("T1190",), kinds=BUILD_KINDS, domain=DOMAIN,
    compliance=("pci-dss-4.0:6.3.1",),
    properties=frozenset({"dependency_scanning", "scan_on_push"}),
    mitigations=(
        "Fail the build on known-exploited and critical vulnerabilities (Dependabot alerts and "
        "dependency review, Trivy or Grype in CI) and scan images continuously in the registry "
        "(Amazon Inspector, Harbor with Trivy).",
    ),
    detection="CI pipeline with `properties.dependency_scanning: false`, or a registry that is "
    "not ECR with `properties.scan_on_push: false` (ECR is checked by "
    "aws-ecr-scan-on-push-disabled).",
    false_positives="Scanning done by a central platform outside the model; state "
    "`dependency_scanning: true` or `scan_on_push: true`.",
    references=(
        "https://docs.github.com/en/code-security/supply-chain-security/understanding-your-"
        "software-supply-chain/about-dependency-review",
        "https://goharbor.io/docs/main/administration/vulnerability-scanning/",
    ),
))
def supply_no_vulnerability_scanning(component: Component, model: Model) -> Verdict:
    """Fire on pipelines and registries that state they do not scan for vulnerabilities."""
    if component.kind is CI:
        evidence = _stated_false(component, "dependency_scanning")
    elif component.prop("enhanced_scanning") is True:  # ECR's continuous scanning
        return PASS
    else:
        evidence = _stated_false(component, "scan_on_push")
    return Fire(tuple(evidence)) if evidence else PASS


# --- registries -------------------------------------------------------------------------------


@rule(RuleMeta(
    id="supply-registry-public-write",
    title="{element} accepts artifact pushes from untrusted parties",
    description="A registry that anyone (or any untrusted network) can push to lets an "
    "attacker replace the images and packages that production and the pipeline pull.",
    target=Target.COMPONENT, likelihood=4, impact=5, stride=(T, E), cwe=(732, 284),
    capec=(439,), attack=("T1525", "T1195.002"), kinds=REGISTRY_KINDS,
    confidence=Confidence.HIGH, domain=DOMAIN,
    mitigations=(
        "Allow pushes only from the pipeline's role (ECR repository policy granting "
        "`ecr:PutImage` to one role, Artifactory/Harbor robot accounts per project) and make "
        "public read-only mirrors separate repositories.",
    ),
    detection="Artifact registry with `properties.public_write: true`, or receiving a flow "
    "from an untrusted party (a component in an untrusted zone, or a public actor, client or "
    "external service) whose authentication does not authenticate.",
    false_positives="Public registries that accept pushes only from authenticated, "
    "namespace-owning accounts (a public Docker Hub organisation); model the push "
    "flow with its `authn`.",
    references=(
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
        f"{CICD_TOP10}",
    ),
))
def supply_registry_public_write(component: Component, model: Model) -> Verdict:
    """Fire on registries that untrusted parties can push to."""
    evidence: list[str] = []
    if component.prop("public_write") is True:
        evidence.append(said("public_write", True))
    for flow in model.graph.flows_in(component.id):
        authn = flow.effective_authn
        if untrusted_party(model, flow.source) and (authn is not None
                                                    and not authn.authenticates):
            evidence.append(f"untrusted '{flow.source}' pushes with authn: {authn.value}")
    return Fire(tuple(evidence)) if evidence else PASS


@rule(RuleMeta(
    id="supply-mutable-artifact-tags",
    title="{element} lets artifact tags be overwritten",
    description="When tags are mutable, a push with registry write access silently replaces "
    "what `:1.4.2` or `:prod` points to, and the next deployment or autoscaling event runs it.",
    target=Target.COMPONENT, likelihood=2, impact=4, stride=(T,), cwe=(494,),
    attack=("T1525",), kinds=REGISTRY_KINDS, domain=DOMAIN,
    mitigations=(
        "Turn on tag immutability in the registry (Harbor immutable tag rules, Artifactory "
        "'disable overwrite', GHCR/Docker Hub through release policies) and deploy by digest.",
    ),
    detection="Artifact registry that is not ECR with `properties.tag_immutability: false` "
    "(ECR is checked by aws-ecr-mutable-tags). On a registry that is not ECR, that a CI "
    "pipeline publishes to and a process pulls from, an applicable threat (with the question) "
    "while it is not stated.",
    false_positives="Registries where only moving tags such as `latest` are mutable and "
    "deployments use digests; accept with justification.",
    references=(
        "https://goharbor.io/docs/main/working-with-projects/working-with-images/create-tag-"
        "immutability-rules/",
        "https://slsa.dev/spec/v1.0/threats",
    ),
    asks=(Ask(
        "Are the tags on {element} immutable (a pushed tag can never point at another "
        "artifact)?",
        (AskFact("properties.tag_immutability", confirms=("false",), rules_out=("true",)),),
        threat="A tag on {element} may be pointed at another artifact before the next "
        "deployment",
    ),),
))
def supply_mutable_artifact_tags(component: Component, model: Model) -> Verdict:
    """Fire on non-ECR registries that state tags are mutable; ask on those a pipeline
    publishes to and a process pulls from."""
    evidence = _stated_false(component, "tag_immutability")
    if evidence:
        return Fire(tuple(evidence))
    if tech_is(component, ECR_TECH):
        return PASS
    if component.prop("tag_immutability") is True:
        return RuledOut((said("tag_immutability", True),))
    graph = model.graph
    publishers = sorted({f.source for f in graph.flows_in(component.id)
                         if model.components[f.source].kind is CI})
    pullers = sorted(
        {f.target for f in graph.flows_out(component.id)
         if model.components[f.target].kind in PROCESS_KINDS}
        | {f.source for f in graph.flows_in(component.id)
           if model.components[f.source].kind in PROCESS_KINDS}
    )
    if not publishers or not pullers:
        return PASS
    return Unknown(("properties.tag_immutability",), why=(
        "published to by " + ", ".join(f"'{p}'" for p in publishers),
        "pulled by " + ", ".join(f"'{p}'" for p in pullers),
    ))


RULES: tuple[Rule, ...] = (
    cicd_unpinned_third_party_actions,
    cicd_untrusted_pr_code_with_secrets,
    cicd_static_deploy_credentials,
    cicd_oidc_trust_too_broad,
    cicd_overprivileged_deploy_role,
    cicd_plaintext_secrets,
    cicd_shared_runners,
    cicd_branch_protection_disabled,
    supply_unsigned_artifacts,
    supply_artifact_pulled_without_verification,
    supply_no_provenance,
    supply_no_sbom,
    supply_dependency_confusion,
    supply_no_vulnerability_scanning,
    supply_registry_public_write,
    supply_mutable_artifact_tags,
)
