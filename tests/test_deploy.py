"""The container images and manifests against the project itself: the
Dockerfiles install this project on the Python it requires and run as the
non-root user the manifests expect; every module and setting the manifests
name exists; the migration Jobs' entry point migrates a real database."""

import asyncio
import json
import os
import re
import subprocess
import sys
import tomllib
import uuid
from fnmatch import fnmatch
from pathlib import Path

import asyncpg
import pytest
from packaging.specifiers import SpecifierSet

from services.common.settings import DEFAULT_ADDRS, Settings
from tests.stack import Infra
from tests.test_k8s import OVERLAYS, containers, of_kind, ours, pod, render

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILES = ("Dockerfile", "Dockerfile.speech-cuda")
SCHEMAS = ("booking", "payments", "calendar", "messaging", "accounts")  # the services with a migrations/ folder


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / dockerfile).read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(m[1].upper(), m[2].strip()) for m in re.finditer(r"^\s*(\w+)\s+(.*)$", joined, re.M)]


def stages(dockerfile: str) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for op, args in instructions(dockerfile):
        if op == "FROM":
            out.append([])
        out[-1].append((op, args))
    return out


def module_exists(module: str) -> bool:
    """`python -m module` would find it in the repository (a package's __main__ or a module)."""
    path = ROOT.joinpath(*module.split("."))
    return (path / "__main__.py").is_file() or path.with_suffix(".py").is_file()


def image_uid(dockerfile: str) -> int:
    (user,) = [args for op, args in stages(dockerfile)[-1] if op == "USER"]
    return int(user.split(":")[0])


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_runtime_stage_runs_as_non_root(dockerfile: str) -> None:
    assert image_uid(dockerfile) >= 1000
    runtime = " ".join(args for _, args in stages(dockerfile)[-1])
    for tool in ("build-essential", "gcc", "python3.11-venv", "pip install"):
        assert tool not in runtime, f"{tool} in the runtime stage of {dockerfile}"
    assert any(op == "COPY" and "--from=builder" in args and "/opt/venv" in args for op, args in stages(dockerfile)[-1])


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_builder_installs_this_project(dockerfile: str) -> None:
    builder = stages(dockerfile)[0]
    runs = [args for op, args in builder if op == "RUN"]
    # The project itself (`.`), after its pinned dependencies read from pyproject.toml.
    assert any(re.search(r"pip install\b.*\s\.$", run) for run in runs)
    assert any("pyproject.toml" in run and "pip install -r" in run for run in runs)
    copied = {args.split()[0] for op, args in builder if op == "COPY"}
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert {pattern.rstrip("*") for pattern in packages["include"]} <= copied


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_python_version_matches_requires_python(dockerfile: str) -> None:
    text = (ROOT / dockerfile).read_text()
    versions = set(re.findall(r"FROM python:(\d+\.\d+)", text)) | set(re.findall(r"\bpython(\d+\.\d+)\b", text))
    assert len(versions) == 1, versions  # every stage on one Python
    required = SpecifierSet(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"])
    assert required.contains(f"{versions.pop()}.0")


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_entrypoint_runs_a_module_of_the_repository(dockerfile: str) -> None:
    final = dict(stages(dockerfile)[-1])
    assert json.loads(final["ENTRYPOINT"]) == ["python", "-m"]
    (module,) = json.loads(final["CMD"])
    assert module_exists(module)
    exposed = {int(port) for port in final["EXPOSE"].split()}
    if dockerfile == "Dockerfile":  # one image for all: the gateway's port and every service's
        assert exposed >= {8000} | {int(addr.rsplit(":", 1)[1]) for addr in DEFAULT_ADDRS.values()}
    else:
        assert "AUDIO_DEVICE=cuda" in final["ENV"] and int(DEFAULT_ADDRS["speech"].rsplit(":", 1)[1]) in exposed


def test_dockerignore_keeps_what_the_build_copies() -> None:
    patterns = [p for p in (ROOT / ".dockerignore").read_text().splitlines() if p and not p.startswith("#")]

    def matches(parts: list[str], glob: list[str]) -> bool:
        """Whether `glob` matches `parts` or a folder above it (`*` within one segment, `**` any)."""
        if glob[:1] == ["**"]:
            return any(matches(parts[i:], glob[1:]) for i in range(len(parts)))
        return len(parts) >= len(glob) and all(fnmatch(p, g) for p, g in zip(parts, glob, strict=False))

    def ignored(path: str) -> bool:  # the last matching pattern wins; "!" re-includes
        verdict = False
        for pattern in patterns:
            if matches(path.split("/"), pattern.lstrip("!").split("/")):
                verdict = not pattern.startswith("!")
        return verdict

    for dockerfile in DOCKERFILES:
        for op, args in instructions(dockerfile):
            if op == "COPY" and "--from=" not in args:
                for source in args.split()[:-1]:
                    assert not ignored(source), f"{dockerfile} copies {source}, which .dockerignore drops"
    for heavy in (".git", ".venv", ".data", "tests", "bench", "services/speech/tests/fixtures", "gateway/__pycache__"):
        assert ignored(heavy), heavy
    assert not ignored("services/booking/migrations/0001_extensions.sql")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_manifests_run_modules_and_settings_that_exist(overlay: str) -> None:
    objs = render(overlay)
    settings = {name.upper() for name in Settings.model_fields}
    allowed = {"Dockerfile": image_uid("Dockerfile"), "Dockerfile.speech-cuda": image_uid("Dockerfile.speech-cuda")}
    for config_map in of_kind(objs, "ConfigMap"):
        if config_map["metadata"]["name"].startswith("postgres-init"):
            continue  # files for the dev Postgres image (roles.sql), not settings
        for name in config_map["data"]:
            assert name in settings or name.startswith("OTEL_"), f"ConfigMap key {name} is not a setting"
    for w in of_kind(objs, "Deployment", "StatefulSet", "Job"):
        for c in filter(ours, containers(w)):
            module = c["args"][0]
            assert module_exists(module), f"{w['metadata']['name']}: python -m {module}"
            for env in c.get("env", []):
                assert env["name"] in settings or env["name"].startswith("OTEL_"), f"{env['name']} is not a setting"
            # The pod's UID is the images' user (files in the image belong to it).
            assert pod(w)["securityContext"]["runAsUser"] in allowed.values()


def test_a_migration_job_per_schema() -> None:
    owned = {path.parent.name for path in (ROOT / "services").glob("*/migrations")}
    assert owned == set(SCHEMAS)
    jobs = {tuple(c["args"]) for w in of_kind(render("prod"), "Job") for c in containers(w)}
    assert jobs == {("services.common.migrate", schema) for schema in SCHEMAS}


async def _versions(dsn: str, schema: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["version"] for r in await conn.fetch(f"SELECT version FROM {schema}.schema_migrations ORDER BY 1")]
    finally:
        await conn.close()


def _migrate(dsn: str, *services: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=dsn, LOG_LEVEL="INFO", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "services.common.migrate", *services]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


async def test_migrate_entry_point_applies_every_schema(infra: Infra) -> None:
    database = f"migrate_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(infra.postgres.url)
    try:
        await admin.execute(f"CREATE DATABASE {database}")
        dsn = infra.postgres.url.rsplit("/", 1)[0] + f"/{database}"
        first = await asyncio.to_thread(_migrate, dsn, *SCHEMAS)
        assert first.returncode == 0, first.stderr
        for schema in SCHEMAS:
            files = sorted(p.stem for p in (ROOT / "services" / schema / "migrations").glob("[0-9]*.sql"))
            assert await _versions(dsn, schema) == files
        again = await asyncio.to_thread(_migrate, dsn, "booking")  # a second Job run: nothing to do
        assert again.returncode == 0, again.stderr
        assert '"applied": []' in again.stderr
        assert (await asyncio.to_thread(_migrate, dsn, "speech")).returncode == 2  # owns no schema
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        await admin.close()


def test_migrate_entry_point_fails_cleanly_without_postgres() -> None:
    result = _migrate("postgresql://postgres@127.0.0.1:1/none", "payments")
    assert result.returncode == 1
    assert "migration failed" in result.stderr and "Traceback" not in result.stderr
