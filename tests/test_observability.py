"""deploy/observability: the Grafana dashboard and the Prometheus rules load, are
complete, and only query metrics that the code declares.

`python tests/test_observability.py` regenerates prometheusrule.yaml from alerts.yaml.
"""

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
OBS = ROOT / "deploy" / "observability"
ALERTS = OBS / "alerts.yaml"
PROMETHEUS_RULE = OBS / "prometheusrule.yaml"
DASHBOARD = OBS / "grafana-dashboard.json"
README = OBS / "README.md"

JOBS = ("booking", "messaging", "payments", "speech", "calendar", "gateway")
STANDARD_METRICS = {"up", "ALERTS"}  # written by Prometheus itself
SEVERITIES = {"critical", "warning", "info"}
DURATION = re.compile(r"^(\d+(ms|s|m|h|d|w|y))+$")
RECORD_NAME = re.compile(r"^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$")  # level:metric:operations
# Grafana expands these before the query reaches Prometheus.
GRAFANA_VARIABLES = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h", "job": "booking"}

# What the brief asks the rules to cover, by alert name.
REQUIRED_ALERTS = {
    "CabanasTextReplySlow",  # text reply p95 < 3 s
    "CabanasAudioReplySlow",  # audio reply p95 < 15 s
    "CabanasIcalSyncStale",  # iCal sync age < 20 min
    "CabanasHttpErrorRateHigh",  # gateway 5xx < 1 %
    "CabanasGrpcErrorRateHigh",  # gRPC INTERNAL/UNAVAILABLE/DEADLINE_EXCEEDED < 1 % per service
    "CabanasServiceDown",
    "CabanasMercadoPagoCircuitOpen",
    "CabanasWhatsAppCircuitOpen",
    "CabanasInboxBacklogGrowing",
    "CabanasOutboxBacklogGrowing",
    "CabanasPaidButUnavailable",
    "CabanasIcalConflicts",
    "CabanasRateLimitFailingOpen",
}
# SLO threshold that must be a bucket boundary of the histogram the alert reads,
# or histogram_quantile cannot tell (above the top bucket it answers the top bound).
SLO_BUCKETS = {"whatsapp_reply_seconds": (3, 15)}
PROMETHEUS_CLIENT_DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)


# ---------------------------------------------------------------------------
# What the code declares


def _source_files() -> Iterator[Path]:
    for top in ("services", "gateway"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "tests" not in path.relative_to(ROOT).parts:
                yield path


def _prometheus_constructors(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names bound to prometheus_client's metric classes, and aliases of the module."""
    names: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "prometheus_client":
            for alias in node.names:
                if alias.name in ("Counter", "Gauge", "Histogram", "Summary"):
                    names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "prometheus_client":
                    modules.add(alias.asname or alias.name)
    return names, modules


def _kind_of(call: ast.Call, names: dict[str, str], modules: set[str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return names.get(func.id)
    if isinstance(func, ast.Attribute) and func.attr in ("Counter", "Gauge", "Histogram", "Summary"):
        return func.attr if ast.unparse(func.value) in modules else None
    return None


def _string_argument(call: ast.Call, keyword: str, position: int | None = None) -> str | None:
    """A string literal passed by keyword, or at `position`."""
    if position is not None and len(call.args) > position:
        value = call.args[position]
    else:
        value = next((kw.value for kw in call.keywords if kw.arg == keyword), None)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def declared_metrics() -> dict[str, tuple[str, ast.Call, Path]]:
    """Base metric name -> (kind, the constructor call, its file), as prometheus_client names them."""
    found: dict[str, tuple[str, ast.Call, Path]] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names, modules = _prometheus_constructors(tree)
        if not names and not modules:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (kind := _kind_of(node, names, modules)) is None:
                continue
            name = _string_argument(node, "name", 0)
            if name is None:
                continue
            # prometheus_client's full name: namespace_subsystem_name[_unit]
            prefix = [p for p in (_string_argument(node, "namespace"), _string_argument(node, "subsystem")) if p]
            name = "_".join([*prefix, name])
            unit = _string_argument(node, "unit")
            if unit and not name.endswith(f"_{unit}"):
                name = f"{name}_{unit}"
            if kind == "Counter":
                name = name.removesuffix("_total")
            found[name] = (kind, node, path)
    return found


def exported_series(declared: dict[str, tuple[str, ast.Call, Path]]) -> set[str]:
    """The series names a scrape shows for the declared metrics."""
    suffixes = {
        "Counter": ("_total",),
        "Gauge": ("",),
        "Histogram": ("_bucket", "_count", "_sum"),
        "Summary": ("", "_count", "_sum"),
    }
    return {base + suffix for base, (kind, _, _) in declared.items() for suffix in suffixes[kind]}


# ---------------------------------------------------------------------------
# What the files use


def load_rules() -> dict[str, Any]:
    return yaml.safe_load(ALERTS.read_text(encoding="utf-8"))


def all_rules() -> list[dict[str, Any]]:
    return [rule for group in load_rules()["groups"] for rule in group["rules"]]


def load_dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def dashboard_panels(panels: list[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    for panel in load_dashboard()["panels"] if panels is None else panels:
        yield panel
        yield from dashboard_panels(panel.get("panels", []))


def expand_grafana(expr: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        assert name in GRAFANA_VARIABLES, f"unknown dashboard variable ${name} in {expr}"
        return GRAFANA_VARIABLES[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", value, expr)


def dashboard_queries() -> list[tuple[str, str]]:
    """(where, PromQL) for every panel target and Prometheus annotation, variables expanded."""
    dashboard = load_dashboard()
    out = []
    for panel in dashboard_panels():
        for target in panel.get("targets", []):
            out.append((f"panel {panel['id']} {panel['title']!r} {target['refId']}", expand_grafana(target["expr"])))
    for annotation in dashboard["annotations"]["list"]:
        if "expr" in annotation:
            out.append((f"annotation {annotation['name']!r}", expand_grafana(annotation["expr"])))
    return out


def rule_queries() -> list[tuple[str, str]]:
    return [(rule.get("alert") or rule["record"], rule["expr"]) for rule in all_rules()]


def selector_names(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name
            if name is None:
                name = next((m.value for m in node.matchers.matchers if m.name == "__name__"), None)
            assert name, f"a selector without a metric name in {expr}"
            names.add(name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def variable_metric_names() -> set[str]:
    """Metrics named in label_values(...) queries of the dashboard's variables."""
    names = set()
    for variable in load_dashboard()["templating"]["list"]:
        query = variable.get("query")
        text = query.get("query", "") if isinstance(query, dict) else str(query or "")
        if match := re.match(r"label_values\((.+),\s*\w+\)$", text.strip()):
            names |= selector_names(match.group(1))
    return names


# ---------------------------------------------------------------------------
# Rules


def test_rule_file_has_groups_of_rules() -> None:
    rules = load_rules()
    assert set(rules) == {"groups"}
    names = [group["name"] for group in rules["groups"]]
    assert len(names) == len(set(names)), "group names must be unique"
    for group in rules["groups"]:
        assert group["rules"], f"group {group['name']} is empty"


def test_every_alert_has_the_fields_an_operator_needs() -> None:
    for rule in all_rules():
        if "record" in rule:
            continue
        name = rule.get("alert")
        assert name, f"a rule is neither an alert nor a recording rule: {rule}"
        assert set(rule) <= {"alert", "expr", "for", "keep_firing_for", "labels", "annotations"}, name
        assert rule["expr"].strip(), name
        assert DURATION.match(str(rule["for"])), f"{name}: for {rule['for']!r}"
        assert rule["labels"]["severity"] in SEVERITIES, name
        for field in ("summary", "description", "runbook"):
            assert str(rule["annotations"].get(field, "")).strip(), f"{name}: annotations.{field}"


def test_recording_rules_are_well_formed() -> None:
    records = [rule for rule in all_rules() if "record" in rule]
    assert records
    for rule in records:
        assert set(rule) <= {"record", "expr", "labels"}, rule["record"]
        assert RECORD_NAME.match(rule["record"]), f"{rule['record']}: name it level:metric:operations"
    names = [rule["record"] for rule in records]
    assert len(names) == len(set(names)), "a recording rule is defined twice"


def test_alert_names_are_unique_and_cover_the_slos_and_incidents() -> None:
    names = [rule["alert"] for rule in all_rules() if "alert" in rule]
    assert len(names) == len(set(names)), "an alert is defined twice"
    assert not REQUIRED_ALERTS - set(names), f"missing: {sorted(REQUIRED_ALERTS - set(names))}"


def test_every_alert_has_a_runbook_section_in_the_readme() -> None:
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }
    for rule in all_rules():
        if "alert" in rule:
            anchor = rule["alert"].lower()
            assert anchor in headings, f"README.md has no section for {rule['alert']}"
            assert f"README.md#{anchor}" in rule["annotations"]["runbook"], f"{rule['alert']}: runbook link"


@pytest.mark.parametrize(("where", "expr"), rule_queries(), ids=[w for w, _ in rule_queries()])
def test_rule_expressions_parse(where: str, expr: str) -> None:
    promql_parser.parse(expr)


def test_prometheusrule_wraps_exactly_the_rule_file() -> None:
    assert PROMETHEUS_RULE.read_text(encoding="utf-8") == render_prometheusrule(), (
        "prometheusrule.yaml is stale: run `.venv/bin/python tests/test_observability.py`"
    )
    wrapped = yaml.safe_load(PROMETHEUS_RULE.read_text(encoding="utf-8"))
    assert wrapped["apiVersion"] == "monitoring.coreos.com/v1"
    assert wrapped["kind"] == "PrometheusRule"
    assert wrapped["spec"] == load_rules()


# ---------------------------------------------------------------------------
# Dashboard


def test_dashboard_is_importable() -> None:
    dashboard = load_dashboard()
    assert dashboard["id"] is None, "an exported dashboard carries no database id"
    assert dashboard["uid"] and dashboard["title"]
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["job"]["type"] == "query"
    assert variables["job"]["datasource"]["uid"] == "${datasource}"
    assert variables["job"]["includeAll"] and variables["job"]["multi"]


def test_dashboard_has_the_three_rows() -> None:
    rows = [panel["title"] for panel in dashboard_panels() if panel["type"] == "row"]
    assert rows == ["SLOs", "Business", "Technical"]


def test_dashboard_panels_have_unique_ids_a_datasource_and_targets() -> None:
    panels = list(dashboard_panels())
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"]), panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], f"{panel['title']} has no target"
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
            assert target["expr"].strip(), panel["title"]
            assert 'job=~"$job"' in target["expr"], f"{panel['title']}: the service variable does not filter it"


def test_dashboard_panels_do_not_overlap() -> None:
    taken: dict[tuple[int, int], str] = {}
    for panel in dashboard_panels():
        gp = panel["gridPos"]
        assert gp["x"] + gp["w"] <= 24, panel["title"]
        for x in range(gp["x"], gp["x"] + gp["w"]):
            for y in range(gp["y"], gp["y"] + gp["h"]):
                assert (x, y) not in taken, f"{panel['title']} overlaps {taken[(x, y)]}"
                taken[(x, y)] = panel["title"]


@pytest.mark.parametrize(("where", "expr"), dashboard_queries(), ids=[w for w, _ in dashboard_queries()])
def test_dashboard_queries_parse(where: str, expr: str) -> None:
    promql_parser.parse(expr)


# ---------------------------------------------------------------------------
# Metric names against the code


def test_every_metric_queried_is_declared_by_the_code_or_recorded() -> None:
    recorded = {rule["record"] for rule in all_rules() if "record" in rule}
    exported = exported_series(declared_metrics())
    used: dict[str, list[str]] = {}
    for where, expr in [*rule_queries(), *dashboard_queries()]:
        for name in selector_names(expr):
            used.setdefault(name, []).append(where)
    for name in variable_metric_names():
        used.setdefault(name, []).append("dashboard variable")
    unknown = {name: where for name, where in used.items() if name not in recorded | exported | STANDARD_METRICS}
    assert not unknown, "metrics no code declares:\n" + "\n".join(
        f"  {name}  (used by {', '.join(sorted(set(where)))})" for name, where in sorted(unknown.items())
    )


def test_the_declaration_scan_sees_known_metrics() -> None:
    """Guards the scanner itself: these have been in the code from the start."""
    exported = exported_series(declared_metrics())
    assert {
        "grpc_server_handled_total",
        "grpc_server_handling_seconds_bucket",
        "http_server_request_duration_seconds_count",
        "ical_sync_age_seconds",
    } <= exported


def _literal(node: ast.expr, path: Path) -> Any:
    if isinstance(node, ast.Name):  # a module-level constant
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for stmt in tree.body:
            targets = (
                stmt.targets
                if isinstance(stmt, ast.Assign)
                else [stmt.target]
                if isinstance(stmt, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == node.id for t in targets) and stmt.value is not None:
                return _literal(stmt.value, path)
        pytest.fail(f"buckets {node.id} is not a module-level literal in {path}: declare them literally")
    try:
        return ast.literal_eval(node)
    except ValueError:
        pytest.fail(f"buckets are computed in {path}; declare them literally so they can be checked")


@pytest.mark.parametrize(("metric", "thresholds"), sorted(SLO_BUCKETS.items()))
def test_slo_thresholds_are_histogram_buckets(metric: str, thresholds: tuple[float, ...]) -> None:
    declared = declared_metrics()
    assert metric in declared, f"{metric} is not declared"
    kind, call, path = declared[metric]
    assert kind == "Histogram", metric
    keyword = next((kw.value for kw in call.keywords if kw.arg == "buckets"), None)
    buckets = PROMETHEUS_CLIENT_DEFAULT_BUCKETS if keyword is None else tuple(_literal(keyword, path))
    missing = [t for t in thresholds if not any(abs(float(b) - t) < 1e-9 for b in buckets)]
    assert not missing, f"{metric} ({path.relative_to(ROOT)}) needs buckets at {missing}; it has {list(buckets)}"


# ---------------------------------------------------------------------------
# prometheusrule.yaml


def render_prometheusrule() -> str:
    """alerts.yaml wrapped as a kube-prometheus-stack PrometheusRule, comments kept."""
    header = (
        "# Generated from alerts.yaml by `.venv/bin/python tests/test_observability.py`; do not edit.\n"
        "# kube-prometheus-stack picks it up when its labels match the Prometheus ruleSelector\n"
        "# (by default `release: <helm release name>`): see README.md.\n"
        "apiVersion: monitoring.coreos.com/v1\n"
        "kind: PrometheusRule\n"
        "metadata:\n"
        "  name: cabanas\n"
        "  labels:\n"
        "    app.kubernetes.io/part-of: cabanas\n"
        "    release: kube-prometheus-stack\n"
        "spec:\n"
    )
    body = ALERTS.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(body) if line.startswith("groups:"))
    return header + "".join(f"  {line}\n" if line else "\n" for line in body[start:])


if __name__ == "__main__":
    PROMETHEUS_RULE.write_text(render_prometheusrule(), encoding="utf-8")
    print(f"wrote {PROMETHEUS_RULE.relative_to(ROOT)}")
