"""The container files agree with the code: docker-compose.yml, the Dockerfiles, .env.example,
the deploy/ configs and docs/operations.md, checked without a container engine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from backend.gateway.app import create_app
from backend.queue.memory import MemoryQueue
from backend.settings.config import Settings, settings_table
from chatty import cli
from tests.support.procs import JWT_SECRET, ROOT
from worker.ops import endpoint_app

pytestmark = pytest.mark.integration

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILES = {"backend": ROOT / "Dockerfile.backend", "worker": ROOT / "Dockerfile.worker"}
CHATTY_SERVICES = ("backend", "worker", "migrate")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SETTINGS_ENV = {f.metadata["env"] for f in fields(Settings)}
# Variables of the third-party images the compose file runs (their documented variables).
IMAGE_ENV = {
    "postgres": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PGDATA"},
    "grafana": {"GF_SECURITY_ADMIN_PASSWORD", "GF_USERS_ALLOW_SIGN_UP"},
}
ALLOWED_ENV = SETTINGS_ENV | set().union(*IMAGE_ENV.values())
GATEWAY_PORT, WORKER_METRICS_PORT = 8080, 9100


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]  # type: ignore[no-any-return]


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def exec_form(path: Path, instruction: str) -> list[str]:
    found = [args for word, args in dockerfile_instructions(path) if word == instruction]
    assert found, f"{path.name}: no {instruction}"
    value = json.loads(found[-1])  # exec form (JSON array): signals reach the process
    assert isinstance(value, list)
    return value


def assert_chatty_command(argv: list[str]) -> None:
    """`chatty` is the package's console script and argv a valid subcommand of chatty/cli.py."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["chatty"] == "chatty.cli:main"
    assert argv[0] == "chatty", argv
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv[1:], "--help"])
    assert exited.value.code == 0, f"`{' '.join(argv)}` is not a chatty command"


def compose_env_names(service: dict[str, Any]) -> set[str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {item.split("=", 1)[0] for item in env}
    return set(env)


def interpolated_names(text: str) -> set[str]:
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` (the forms the file uses)."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        assert op != ":?", f"{name} is required: {arg}"
        return arg if op == ":-" else ""

    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-|:\?)?([^}]*)\}", one, text)


def env_example_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def healthcheck_urls(services: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    urls: dict[str, list[str]] = {}
    for name, service in services.items():
        test = (service.get("healthcheck") or {}).get("test") or []
        urls[name] = re.findall(r"https?://[^'\" ]+", " ".join(test))
    for name, path in DOCKERFILES.items():
        for word, args in dockerfile_instructions(path):
            if word == "HEALTHCHECK":
                urls.setdefault(f"Dockerfile.{name}", []).extend(
                    re.findall(r"https?://[^'\" ]+", args)
                )
    return urls


# --- compose: schema basics ----------------------------------------------------------------------


def test_compose_defines_the_services_with_their_images(
    services: dict[str, dict[str, Any]],
) -> None:
    assert {"backend", "worker", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["backend"]["build"]["dockerfile"] == "Dockerfile.backend"
    assert services["worker"]["build"]["dockerfile"] == "Dockerfile.worker"
    for name, service in services.items():
        assert "image" in service or "build" in service, name


def test_every_depends_on_names_a_service_with_a_valid_condition(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        deps = service.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on undefined {dep}"
            assert dep != name
            condition = spec.get("condition", "service_started")
            assert condition in CONDITIONS, f"{name} → {dep}: {condition}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{dep} has no healthcheck"
            # A service that always runs may not wait for one that only a profile starts.
            if not service.get("profiles"):
                assert not services[dep].get("profiles"), f"{name} → profiled {dep}"


def test_start_up_order_is_databases_then_migrations_then_chatty(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("backend", "worker"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"].get("restart") == "no"


def test_healthchecks_for_postgres_redis_backend_and_worker(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("postgres", "redis", "backend", "worker"):
        check = services[name].get("healthcheck") or {}
        assert check.get("test"), name
        assert not check.get("disable"), name
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_redis_keeps_the_stream_with_aof_everysec(services: dict[str, dict[str, Any]]) -> None:
    command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in command
    assert "--appendfsync everysec" in command
    assert any(str(v).endswith(":/data") for v in services["redis"]["volumes"])


def test_data_lives_in_declared_named_volumes(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    for service in services.values():
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], f"undeclared volume {source}"
            else:
                assert source.startswith("/var/run/docker.sock") or (ROOT / source).exists()
    assert {"postgres-data", "redis-data"} <= set(compose["volumes"])


def test_compose_mentions_websocket_only_or_sticky_sessions_for_several_gateways() -> None:
    text = COMPOSE.read_text().lower()
    assert "sticky" in text
    assert "websocket" in text


# --- commands ------------------------------------------------------------------------------------


def test_dockerfile_entrypoints_are_chatty_commands() -> None:
    backend = exec_form(DOCKERFILES["backend"], "ENTRYPOINT") + exec_form(
        DOCKERFILES["backend"], "CMD"
    )
    worker = exec_form(DOCKERFILES["worker"], "ENTRYPOINT") + exec_form(
        DOCKERFILES["worker"], "CMD"
    )
    assert backend == ["chatty", "gateway", "--host", "0.0.0.0", "--port", str(GATEWAY_PORT)]
    assert worker == ["chatty", "worker"]
    assert_chatty_command(backend)
    assert_chatty_command(worker)


def test_compose_commands_are_chatty_commands(services: dict[str, dict[str, Any]]) -> None:
    image_of = {"backend": "backend", "worker": "worker", "migrate": "worker"}
    for name in CHATTY_SERVICES:
        dockerfile = DOCKERFILES[image_of[name]]
        assert services[name]["build"]["dockerfile"] == dockerfile.name
        entry = exec_form(dockerfile, "ENTRYPOINT")
        command = services[name].get("command") or exec_form(dockerfile, "CMD")
        assert_chatty_command(entry + command)
    assert services["migrate"]["command"] == ["migrate"]


def test_images_build_the_spa_run_as_non_root_and_bake_no_secret() -> None:
    backend = dockerfile_instructions(DOCKERFILES["backend"])
    runs = " ".join(args for word, args in backend if word == "RUN")
    assert "npm ci" in runs
    assert "npm run build" in runs
    assert "pip install ." in runs
    for name, path in DOCKERFILES.items():
        steps = dockerfile_instructions(path)
        bases = [args.split()[0] for word, args in steps if word == "FROM"]
        assert bases[-1].startswith("python:3.11-slim"), name
        users = [args for word, args in steps if word == "USER"]
        assert users, name
        assert not users[-1].startswith(("root", "0")), name
        for word, args in steps:
            if word in ("ENV", "ARG"):
                names = set(re.findall(r"([A-Z][A-Z0-9_]*)=", args))
                assert names <= SETTINGS_ENV | {
                    "PATH",
                    "PYTHONUNBUFFERED",
                    "PYTHONDONTWRITEBYTECODE",
                    "PIP_NO_CACHE_DIR",
                    "PIP_DISABLE_PIP_VERSION_CHECK",
                }, (name, names)
                assert not names & {"JWT_SECRET", "DATABASE_URL", "REDIS_URL"}, name
            if word == "COPY":
                assert ".env" not in args.split(), name
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored
    assert ".git" in ignored
    assert "frontend/dist" in (ROOT / "Dockerfile.backend").read_text()


# --- environment ---------------------------------------------------------------------------------


def test_every_env_var_in_compose_and_env_example_is_known(
    services: dict[str, dict[str, Any]],
) -> None:
    used = interpolated_names(COMPOSE.read_text()) | env_example_names()
    for service in services.values():
        used |= compose_env_names(service)
    unknown = used - ALLOWED_ENV
    assert not unknown, f"not a chatty setting nor an image variable: {sorted(unknown)}"


def test_env_example_lists_every_setting_and_no_secret_value() -> None:
    names = env_example_names()
    assert names >= SETTINGS_ENV, f"missing in .env.example: {sorted(SETTINGS_ENV - names)}"
    text = (ROOT / ".env.example").read_text()
    for secret in ("JWT_SECRET", "POSTGRES_PASSWORD"):
        assert re.search(rf"^{secret}=$", text, re.M), f"{secret} must be left empty"


def test_chatty_services_get_the_distributed_settings(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in CHATTY_SERVICES:
        service = services[name]
        assert service.get("env_file") in (".env", [".env"]), name
        given = {"POSTGRES_PASSWORD": "pw", "JWT_SECRET": JWT_SECRET}
        env = {k: interpolate(str(v), given) for k, v in service["environment"].items()}
        settings = Settings.from_env(env)  # what the container's `chatty` will read
        assert urlsplit(settings.database_url).hostname == "postgres"
        assert urlsplit(settings.database_url).password == "pw"
        assert urlsplit(settings.redis_url).hostname == "redis"
        assert settings.jwt_secret == JWT_SECRET
        with pytest.raises(AssertionError, match="JWT_SECRET is required"):
            interpolate(service["environment"]["JWT_SECRET"], {})
    worker_env = services["worker"]["environment"]
    assert int(worker_env["CHATTY_WORKER_METRICS_PORT"]) == WORKER_METRICS_PORT
    assert worker_env["CHATTY_WORKER_METRICS_HOST"] == "0.0.0.0"


# --- health endpoints ----------------------------------------------------------------------------


def test_healthcheck_urls_are_routes_of_the_process_they_probe(
    services: dict[str, dict[str, Any]],
) -> None:
    gateway = create_app(Settings.from_env({}, redis_url="redis://x", jwt_secret=JWT_SECRET))
    worker = endpoint_app(MemoryQueue(max_len=1))
    routes = {
        GATEWAY_PORT: {r.canonical for r in gateway.router.resources()},
        WORKER_METRICS_PORT: {r.canonical for r in worker.router.resources()},
    }
    owner_port = {
        "backend": GATEWAY_PORT,
        "Dockerfile.backend": GATEWAY_PORT,
        "worker": WORKER_METRICS_PORT,
        "Dockerfile.worker": WORKER_METRICS_PORT,
    }
    checked = 0
    for owner, urls in healthcheck_urls(services).items():
        for url in urls:
            parts = urlsplit(url)
            if owner not in owner_port:
                continue  # third-party images' own endpoints
            assert parts.port == owner_port[owner], (owner, url)
            assert parts.path in routes[owner_port[owner]], (owner, url)
            checked += 1
    assert checked >= 4
    assert "/metrics" in routes[GATEWAY_PORT]
    assert "/metrics" in routes[WORKER_METRICS_PORT]


# --- deploy/ -------------------------------------------------------------------------------------


def test_observability_profiles_and_their_configs(services: dict[str, dict[str, Any]]) -> None:
    assert "logging" in services["loki"]["profiles"]
    assert "logging" in services["promtail"]["profiles"]
    assert "logging" in services["grafana"]["profiles"]
    for name in ("loki", "promtail", "grafana", "prometheus"):
        for volume in services[name].get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if source.startswith("./deploy/"):
                path = ROOT / source
                files = [path] if path.is_file() else list(path.rglob("*.y*ml"))
                assert files, source
                for f in files:
                    assert isinstance(yaml.safe_load(f.read_text()), dict), f
    promtail = yaml.safe_load((ROOT / "deploy/promtail/promtail.yaml").read_text())
    assert urlsplit(promtail["clients"][0]["url"]).hostname == "loki"
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        (sd["names"][0], sd["port"])
        for job in prometheus["scrape_configs"]
        for sd in job["dns_sd_configs"]
    }
    assert targets == {("backend", GATEWAY_PORT), ("worker", WORKER_METRICS_PORT)}


def test_compose_config_validates_when_a_compose_cli_is_here(tmp_path: Path) -> None:
    """`docker compose config -q` needs no engine, but this machine may lack the plugin."""
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("no `docker compose` plugin here; the checks above stand in for it")
    env_file = tmp_path / ".env"
    env_file.write_text("POSTGRES_PASSWORD=x\nJWT_SECRET=" + "y" * 40 + "\n")
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "--env-file", str(env_file), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


# --- docs and the Makefile -----------------------------------------------------------------------


def test_operations_doc_settings_table_is_generated_from_settings() -> None:
    doc = (ROOT / "docs/operations.md").read_text()
    match = re.search(r"<!-- settings:start -->\n(.*?)\n<!-- settings:end -->", doc, re.S)
    assert match, "docs/operations.md lost its settings markers"
    assert match.group(1) == settings_table(), "run `make settings-docs`"


def test_makefile_has_up_down_logs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("up", "down", "logs"):
        assert re.search(rf"^{target}:", makefile, re.M), target
