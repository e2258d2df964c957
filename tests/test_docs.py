"""The README and docs/ say only what is true of dxbot (as sqlite-utils' test_docs does).

The README is the user's guide (at most 250 lines) and links every page under docs/. Together
they name only commands, options, settings, files, links and tests that exist, and the README
documents every command and every setting the code reads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from bot.cli import main

ROOT = Path(__file__).parents[1]
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
DOCS_PATHS = sorted((ROOT / "docs").glob("*.md"))
# The README and every page under docs/, by path: what the checks below read.
PAGES = {path: path.read_text(encoding="utf-8") for path in [README_PATH, *DOCS_PATHS]}
PRODUCT = ("bot", "handlers", "knowledge", "scheduler")

README_MAX_LINES = 250
SETTING = re.compile(r"\b(?:DXBOT|SLACK|LINE)_[A-Z0-9_]*[A-Z0-9*]")
# Read by the code but not settings for a user: serve hands its --host to its worker processes
# through DXBOT_HOST; DXBOT_WEB_STAFF is read only to say at start that it is no longer honoured.
INTERNAL_SETTINGS = {"DXBOT_HOST", "DXBOT_WEB_STAFF"}
# Paths the docs name that an operator or a run creates; they are not in the repository.
CREATED_PATHS = {"deploy/dxbot.env", "test-artifacts/", "deploy/tls/fullchain.pem", "deploy/tls/privkey.pem"}
COMPOSE = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / "deploy" / "dxbot.env.example").read_text(encoding="utf-8")
# Read by the compose file, not by dxbot (the database password it builds DXBOT_DATABASE_URL from).
COMPOSE_SETTINGS = set(re.findall(r"\$\{(\w+)", COMPOSE)) - set(re.findall(r"^(\w+)=", ENV_EXAMPLE, re.M))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _code(text: str) -> list[str]:
    """Every inline code span, and every line of every fenced block, in a Markdown text."""
    spans: list[str] = []
    prose: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced:
            spans.append(line)
        else:
            prose.append(line)
    spans += re.findall(r"`([^`\n]+)`", "\n".join(prose))
    return spans


def _links(text: str) -> list[str]:
    """Targets of Markdown links and images, and of HTML img/a tags."""
    return re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"""(?:src|href)="([^"]+)\"""", text)


def _anchors(text: str) -> set[str]:
    """GitHub's ids for a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    ids = set()
    for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.MULTILINE):
        plain = heading.replace("`", "").strip().lower()
        ids.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", plain)))
    return ids


def _commands(group: click.Group = main, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command and group under ``dxbot``, by its words after ``dxbot``."""
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        found[(*path, name)] = command
        if isinstance(command, click.Group):
            found.update(_commands(command, (*path, name)))
    return found


COMMANDS = _commands()


def _invocations() -> list[tuple[str, str]]:
    """Each ``dxbot …`` the README and docs/ show in code: (page, the words from ``dxbot`` on)."""
    found = []
    for path, text in PAGES.items():
        for span in _code(text):
            for match in re.finditer(r"(?:^|[\s(])dxbot(?![\w.-])((?:\s+[^\s#]+)*)", span.split(" #")[0]):
                found.append((_name(path), "dxbot" + match.group(1)))
    return found


def _setting_names(text: str) -> set[str]:
    return set(SETTING.findall(text))


def _settings_in_code() -> set[str]:
    """Every setting name the product's code holds as a string (what it reads, or names in a message)."""
    names = set()
    for package in PRODUCT:
        for source in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    names |= {name for name in _setting_names(node.value) if not name.endswith("_")}
    return names


def test_the_readme_is_a_short_users_guide() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): move operations and internals to docs/")


def test_every_page_under_docs_is_linked_from_the_readme_and_every_linked_page_exists() -> None:
    linked = {target.split("#")[0] for target in _links(README)
              if target.startswith("docs/") and target.split("#")[0].endswith(".md")}
    missing = sorted(target for target in linked if not (ROOT / target).is_file())
    assert not missing, f"README.md links pages that do not exist: {missing}"
    unlinked = sorted(_name(path) for path in DOCS_PATHS if _name(path) not in linked)
    assert not unlinked, f"pages under docs/ the README does not link: {unlinked}"


def test_every_relative_link_and_anchor_resolves() -> None:
    broken = []
    for path, text in PAGES.items():
        for target in _links(text):
            if re.match(r"[a-z]+:", target):  # https:, mailto:
                continue
            file, _, anchor = target.partition("#")
            page = (path.parent / file).resolve() if file else path
            if not page.is_file() or ROOT not in page.parents:
                broken.append(f"{_name(path)}: {target}")
            elif anchor and page.suffix == ".md" and anchor not in _anchors(page.read_text(encoding="utf-8")):
                broken.append(f"{_name(path)}: {target} (no such heading)")
    assert not broken, f"links that do not resolve: {broken}"


def test_every_command_is_documented_in_the_readme() -> None:
    shown = {tuple(words.split()[1:]) for page, words in _invocations() if page == "README.md"}
    shown_prefixes = {words[:n] for words in shown for n in range(1, len(words) + 1)}
    missing = [" ".join(path) for path, command in COMMANDS.items()
               if not isinstance(command, click.Group) and path not in shown_prefixes]
    assert not missing, f"commands missing from README.md: {missing}"


def test_every_command_and_option_the_docs_show_exists() -> None:
    wrong = []
    for page, words in _invocations():
        tokens = words.split()[1:]
        path: tuple[str, ...] = ()
        while tokens and (*path, tokens[0]) in COMMANDS:
            path = (*path, tokens.pop(0))
        command = COMMANDS.get(path, main)
        if isinstance(command, click.Group) and tokens and re.fullmatch(r"[a-z][a-z-]*", tokens[0]):
            wrong.append(f"{page}: {words} (no command {' '.join(['dxbot', *path, tokens[0]])})")
            continue
        options = {opt for param in command.params if isinstance(param, click.Option)
                   for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", " ".join(tokens)):
            if option not in options:
                wrong.append(f"{page}: {words} ({option} is not an option of dxbot {' '.join(path)})")
    assert not wrong, f"commands or options that do not exist: {wrong}"


def test_every_option_named_alone_belongs_to_some_command() -> None:
    every = {opt for command in [main, *COMMANDS.values()] for param in command.params
             if isinstance(param, click.Option) for opt in (*param.opts, *param.secondary_opts)}
    alone = [(path, span.split()[0]) for path, text in PAGES.items() for span in _code(text)
             if re.fullmatch(r"--[a-z][a-z-]*(?: .*)?", span)]
    wrong = [f"{_name(path)}: {option}" for path, option in alone if option not in every]
    assert not wrong, f"options no dxbot command has: {wrong}"


def test_every_setting_the_code_reads_is_in_the_readme_and_every_one_named_exists() -> None:
    in_code = _settings_in_code()
    undocumented = sorted(in_code - INTERNAL_SETTINGS - _setting_names(README))
    assert not undocumented, f"settings missing from README.md's Configuration: {undocumented}"
    named = set().union(*(_setting_names(text) for text in PAGES.values()))
    unknown = []
    for name in sorted(named):
        if name.endswith("*"):  # DXBOT_CONTACT_*: a family of settings
            if not any(setting.startswith(name[:-1]) for setting in in_code):
                unknown.append(name)
        elif name not in in_code | COMPOSE_SETTINGS:
            unknown.append(name)
    assert not unknown, f"settings the docs name that the code does not read: {unknown}"


def test_every_file_the_docs_name_exists() -> None:
    missing = []
    for path, text in PAGES.items():
        for span in _code(text):
            if (re.fullmatch(r"[\w.-]+(?:/[\w.-]+)+/?", span) and not span.startswith("../")
                    and span not in CREATED_PATHS and not (ROOT / span).exists()):
                missing.append(f"{_name(path)}: {span}")
    assert not missing, f"files named in the docs that do not exist: {missing}"


def test_every_test_the_docs_cite_exists() -> None:
    tests = set()
    for source in (ROOT / "tests").glob("test_*.py"):
        tests |= {node.name for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    cited = {name for text in PAGES.values() for span in _code(text)
             for name in re.findall(r"\btest_\w+", span) if not span.endswith(".py")}
    missing = sorted(cited - tests)
    assert not missing, f"tests the docs cite that do not exist: {missing}"


@pytest.mark.parametrize("path", list(PAGES), ids=_name)
def test_the_docs_say_what_is_not_how_it_came_to_be(path: Path) -> None:
    """History and benchmark figures belong in commit messages and bench/README.md."""
    found = re.findall(r"\bissue \d+|\bp(?:50|99)\b|\b(?:req|q)/s\b", PAGES[path], flags=re.IGNORECASE)
    assert not found, f"{_name(path)} tells history or benchmark figures: {found}"


def test_the_readme_gives_the_set_up_and_ci_runs_its_test_command() -> None:
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    for line in ("python3 -m pip install uv", "uv run dxbot serve", "uv run pytest -q"):
        assert line in setup, f"README.md's set-up lacks `{line}`"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.strip().endswith("uv run pytest -q")


def test_every_setting_of_the_deployment_is_documented_in_the_deploy_guide() -> None:
    """What the operator fills: each variable of the env example, each one the compose file reads
    or sets for the hosts; and the README's scaling-out entry leads there."""
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    deployment = (set(re.findall(r"^(\w+)=", ENV_EXAMPLE, re.M)) | COMPOSE_SETTINGS
                  | set(re.findall(r"^\s+(\w+): ", COMPOSE, re.M)) & _setting_names(COMPOSE))
    assert {"DXBOT_ALLOWED_HOSTS", "DXBOT_TRUSTED_PROXIES", "DXBOT_DB_PASSWORD"} <= deployment
    undocumented = sorted(name for name in deployment if f"`{name}`" not in deploy)
    assert not undocumented, f"settings of the deployment missing from docs/deploy.md: {undocumented}"
    scaling = next(line for line in README.splitlines() if "[Scaling out]" in line and line.startswith("- "))
    entry = README[README.index(scaling):].split("\n- ", 1)[0]
    assert "(docs/deploy.md)" in entry, entry
