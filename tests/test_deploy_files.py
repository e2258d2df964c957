"""The files an operator copies are right as shipped: nginx accepts ``deploy/nginx.conf`` (with the
substitutions docs/deploy.md gives), and the compose file holds together (a YAML check of the keys
Compose requires and of how the services refer to each other; the ``docker`` CLI is not here)."""

from __future__ import annotations

import ipaddress
import re

import yaml

from tests import nginx
from tests.fakes import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
HOSTS = ("dxbot-a", "dxbot-b")
# Top-level and service keys of the Compose specification that this file may use.
TOP_LEVEL = {"name", "services", "networks", "volumes", "configs", "secrets"}
SERVICE_KEYS = {"image", "build", "command", "environment", "env_file", "volumes", "ports", "networks",
                "depends_on", "healthcheck", "restart", "stop_grace_period", "expose"}


def test_nginx_accepts_the_shipped_configuration(tmp_path) -> None:
    lb = nginx.configure(tmp_path / "nginx", upstreams=("127.0.0.1:18001", "127.0.0.1:18002"))
    checked = lb.test()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_compose_file_has_what_compose_requires() -> None:
    assert set(COMPOSE) <= TOP_LEVEL, set(COMPOSE) - TOP_LEVEL
    assert {"postgres", "migrate", *HOSTS, "lb"} <= set(SERVICES)
    for name, service in SERVICES.items():
        assert set(service) <= SERVICE_KEYS, (name, set(service) - SERVICE_KEYS)
        assert "image" in service or "build" in service, name
        for needed in service.get("depends_on", {}):
            assert needed in SERVICES, (name, needed)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), (name, source)
            else:
                assert source in COMPOSE["volumes"], (name, source)
        for network in service.get("networks", []):
            assert network in COMPOSE["networks"], (name, network)
        for env_file in [service["env_file"]] if "env_file" in service else []:
            assert (REPO / f"{env_file}.example").exists(), (name, env_file)


def _address(service: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(SERVICES[service]["networks"]["dxbot"]["ipv4_address"])


def test_the_hosts_trust_nginx_and_nginx_finds_them_where_they_stay() -> None:
    subnet = ipaddress.IPv4Network(COMPOSE["networks"]["dxbot"]["ipam"]["config"][0]["subnet"])
    fixed = {name: _address(name) for name in ("postgres", *HOSTS, "lb")}
    assert all(address in subnet for address in fixed.values()) and len(set(fixed.values())) == len(fixed)
    dynamic = ipaddress.IPv4Network(COMPOSE["networks"]["dxbot"]["ipam"]["config"][0]["ip_range"])
    assert not any(address in dynamic for address in fixed.values())
    for host in HOSTS:
        environment = SERVICES[host]["environment"]
        assert environment["DXBOT_TRUSTED_PROXIES"] == str(fixed["lb"]), host
        assert "@postgres:5432/" in environment["DXBOT_DATABASE_URL"]
    upstreams = re.findall(r"^\s*server ([\w-]+):8000\b", nginx.SHIPPED.read_text(encoding="utf-8"), re.M)
    assert sorted(upstreams) == sorted(HOSTS)
    lb = SERVICES["lb"]
    assert "443:443" in lb["ports"]
    assert "./deploy/tls:/etc/nginx/tls:ro" in lb["volumes"] and nginx.TLS_DIR.rstrip("/") == "/etc/nginx/tls"
    example = (REPO / "deploy" / "dxbot.env.example").read_text(encoding="utf-8")
    assert re.search(r"^DXBOT_ALLOWED_HOSTS=\S+", example, re.M)
