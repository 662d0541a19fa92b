"""The command line: the golden-file check of generated/, generate/check on a copy of the project, and the flags."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import GENERATED, ROOT, SEED_SPEC, generate, run_sdkforge, tree

SEED_PACKAGE = "dodo_payments"
SEED_LABEL = SEED_SPEC.relative_to(ROOT).as_posix()
MODEL_FILE = "types/customer_credit_balance_response.py"
CONSOLE_SCRIPT = Path(sys.executable).parent / "sdkforge"


def copy_project(tmp_path: Path) -> Path:
    """pyproject.toml, specs/ and generated/ in a scratch directory: enough for `check`/`generate` without SPEC."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", project / "pyproject.toml")
    ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache")
    shutil.copytree(ROOT / "specs", project / "specs", ignore=ignore)
    shutil.copytree(GENERATED, project / "generated", ignore=ignore)
    # Start from what the current generator writes, so these tests do not depend on generated/ being fresh
    # (test_check_committed_tree_is_clean covers that).
    baseline = run_sdkforge("generate", cwd=project)
    assert baseline.returncode == 0, baseline.stderr
    return project


def run_python(code: str, path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run code with `path` first on sys.path, in a clean environment apart from `env`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DODO_PAYMENTS_", "ACME"))}
    environ.update(env or {}, PYTHONPATH=str(path), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=path, env=environ, capture_output=True, text=True, check=False
    )


# --- golden files -------------------------------------------------------------------------------------------


def test_check_committed_tree_is_clean() -> None:
    result = run_sdkforge("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "up to date" in result.stderr


def test_check_reports_edited_generated_file(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    edited = project / "generated" / SEED_PACKAGE / MODEL_FILE
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    result = run_sdkforge("check", cwd=project)
    assert result.returncode == 1, result.stderr
    name = f"generated/{SEED_PACKAGE}/{MODEL_FILE}"
    headers = [line for line in result.stdout.splitlines() if line.startswith(("--- ", "+++ "))]
    assert len(headers) == 2 and all(line.endswith(name) for line in headers), result.stdout
    assert "\n-# edited by hand\n" in result.stdout
    assert "out of date" in result.stderr
    assert edited.read_text(encoding="utf-8").endswith("# edited by hand\n"), "check must not write"


def test_check_with_config_flag_from_elsewhere(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "generated" / SEED_PACKAGE / MODEL_FILE).unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_sdkforge("check", "--config", project / "pyproject.toml", cwd=elsewhere)
    assert result.returncode == 1, result.stderr
    assert f"--- /dev/null\n+++ {project}/generated/{SEED_PACKAGE}/{MODEL_FILE}\n" in result.stdout
    fixed = run_sdkforge("generate", "--config", project / "pyproject.toml", cwd=elsewhere)
    assert fixed.returncode == 0, fixed.stderr
    assert list(elsewhere.iterdir()) == [], "targets are relative to the configuration file, not the cwd"
    clean = run_sdkforge("check", "--config", project / "pyproject.toml", cwd=elsewhere)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_check_reports_spec_changes(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    spec = project / SEED_LABEL
    text = spec.read_text(encoding="utf-8")
    old_doc = "description: Response for a customer's credit balance"
    assert old_doc in text
    text = text.replace(old_doc, "description: The balance of one customer")
    text = text.replace("        overage:\n", "        loyalty_tier:\n          type: string\n        overage:\n")
    spec.write_text(text, encoding="utf-8")
    result = run_sdkforge("check", cwd=project)
    assert result.returncode == 1, result.stderr
    package = project / "generated" / SEED_PACKAGE
    model_diff = result.stdout.split(f"+++ {package}/{MODEL_FILE}\n")[1].split("\n--- ")[0]
    assert '\n-    """Response for a customer\'s credit balance"""' in model_diff
    assert '\n+    """The balance of one customer"""' in model_diff
    added = [line for line in model_diff.splitlines() if line.startswith("+    loyalty_tier:")]
    assert len(added) == 1 and "str" in added[0], model_diff
    # Headers hold no digest: only the changed module and the manifest are out of date.
    changed = [line.removeprefix(f"+++ {package}/") for line in result.stdout.splitlines() if line.startswith("+++ ")]
    assert changed == ["surface.json", MODEL_FILE]


def test_check_reports_stray_file_and_generate_repairs(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    package = project / "generated" / SEED_PACKAGE
    golden = tree(package)
    (package / "stray.py").write_text("x = 1\n", encoding="utf-8")
    (package / MODEL_FILE).write_text("broken\n", encoding="utf-8")
    (package / "_version.py").unlink()
    result = run_sdkforge("check", cwd=project)
    assert result.returncode == 1
    assert f"--- {package}/stray.py\n+++ /dev/null\n" in result.stdout
    assert "\n-x = 1\n" in result.stdout
    assert f"--- /dev/null\n+++ {package}/_version.py\n" in result.stdout
    assert f"+++ {package}/{MODEL_FILE}\n" in result.stdout

    fixed = run_sdkforge("generate", cwd=project)
    assert fixed.returncode == 0, fixed.stderr
    assert "2 written" in fixed.stderr and "1 removed" in fixed.stderr
    assert tree(package) == golden
    again = run_sdkforge("check", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == ""


def test_generate_touches_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    package = project / "generated" / SEED_PACKAGE
    golden = tree(package)
    stale = package / "resources" / "retired" / "__init__.py"
    stale.parent.mkdir()
    stale.write_text("", encoding="utf-8")
    edited = package / MODEL_FILE
    edited.write_text("broken\n", encoding="utf-8")
    before = {rel: (package / rel).stat() for rel in tree(package)}
    result = run_sdkforge("generate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert f"1 written, {len(before) - 2} unchanged, 1 removed" in result.stderr
    assert not stale.parent.exists(), "a directory left empty by removing stale files is removed too"
    assert tree(package) == golden
    for rel, stat in before.items():
        if rel in (MODEL_FILE, "resources/retired/__init__.py"):
            continue
        now = (package / rel).stat()
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), f"{rel} was rewritten"
    assert edited.stat().st_mtime_ns >= before[MODEL_FILE].st_mtime_ns
    assert edited.read_bytes() != b"broken\n"


# --- flags --------------------------------------------------------------------------------------------------


def test_generate_writes_output_package(tmp_path: Path) -> None:
    out = tmp_path / "out"
    package = generate(SEED_SPEC, out, "acme_sdk")
    assert sorted(p.name for p in out.iterdir()) == ["acme_sdk"]
    assert (package / "__init__.py").is_file() and (package / "py.typed").is_file()
    # Imports inside the package are relative, so nothing refers to the default package name.
    for rel, data in tree(package).items():
        assert b"import dodo_payments" not in data and b"from dodo_payments" not in data, rel
    result = run_python(
        "import acme_sdk, json; c = acme_sdk.AcmeSdk(bearer_token='t', base_url='http://127.0.0.1:9');"
        "print(json.dumps([type(c).__module__, str(c.base_url)]))",
        out,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["acme_sdk._client", "http://127.0.0.1:9"]


def test_client_name_and_env_prefix(tmp_path: Path) -> None:
    out = tmp_path / "out"
    package = generate(SEED_SPEC, out, "acme", "--client-name", "Acme", "--env-prefix", "ACME_")
    source = "\n".join(text.decode() for text in tree(package).values())
    assert "class Acme(" in source and "class AsyncAcme(" in source
    assert '"ACME_API_KEY"' in source and '"ACME_BASE_URL"' in source
    assert "DodoPayments" not in source and "DODO_PAYMENTS_" not in source
    code = (
        "import json, acme\n"
        "client = acme.Acme()\n"
        "print(json.dumps([client.bearer_token, str(client.base_url), type(acme.AsyncAcme()).__name__]))\n"
    )
    env = {"ACME_API_KEY": "key-from-env", "ACME_BASE_URL": "http://127.0.0.1:9/api"}
    result = run_python(code, out, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["key-from-env", "http://127.0.0.1:9/api", "AsyncAcme"]
    missing = run_python("import acme\nacme.Acme()", out, {"DODO_PAYMENTS_API_KEY": "wrong prefix"})
    assert missing.returncode != 0
    assert "ACME_API_KEY" in missing.stderr.splitlines()[-1]


def test_black_formatter(tmp_path: Path) -> None:
    out = tmp_path / "out"
    package = generate(SEED_SPEC, out, SEED_PACKAGE, "--formatter", "black")
    for rel, data in tree(package).items():
        if rel.endswith(".py"):
            compile(data, rel, "exec")
    black = Path(sys.executable).parent / "black"
    verdict = subprocess.run(
        [black, "--check", "--quiet", "--line-length=120", "--target-version=py310", package],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verdict.returncode == 0, verdict.stderr
    imported = run_python("import dodo_payments.types as t; print(t.CustomerCreditBalanceResponse.__name__)", out)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "CustomerCreditBalanceResponse"
    check = run_sdkforge("check", SEED_SPEC, "--output", out, "--package", SEED_PACKAGE, "--formatter", "black")
    assert check.returncode == 0, check.stdout + check.stderr


def test_console_script_matches_module(tmp_path: Path) -> None:
    assert CONSOLE_SCRIPT.is_file(), f"the sdkforge console script is not installed next to {sys.executable}"
    args = ["generate", SEED_SPEC, "--output", tmp_path / "script", "--package", "p"]
    script = subprocess.run([CONSOLE_SCRIPT, *map(str, args)], cwd=ROOT, capture_output=True, text=True, check=False)
    module = run_sdkforge("generate", SEED_SPEC, "--output", tmp_path / "module", "--package", "p")
    assert script.returncode == module.returncode == 0, script.stderr + module.stderr
    assert tree(tmp_path / "script") == tree(tmp_path / "module")
    for command in (["--help"], ["generate", "--help"], ["check", "--help"]):
        by_script = subprocess.run([CONSOLE_SCRIPT, *command], capture_output=True, text=True, check=False)
        by_module = run_sdkforge(*command)
        assert by_script.returncode == by_module.returncode == 0
        assert by_script.stdout == by_module.stdout
    args[0] = "check"
    check = subprocess.run([CONSOLE_SCRIPT, *map(str, args)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_help() -> None:
    top = run_sdkforge("--help")
    assert top.returncode == 0 and top.stdout.startswith("usage: sdkforge")
    assert "generate" in top.stdout and "check" in top.stdout
    sub = run_sdkforge("generate", "--help")
    assert sub.returncode == 0
    for flag in ("--output", "--package", "--client-name", "--env-prefix", "--formatter", "--config", "--version"):
        assert flag in sub.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (
        ["generate", SEED_SPEC],  # --output and --package are required with SPEC
        ["generate", SEED_SPEC, "--output", tmp_path, "--package", "not-an-identifier"],
        ["generate", SEED_SPEC, "--output", tmp_path, "--package", "p", "--client-name", "1Bad"],
        ["check", "--config", tmp_path / "absent.toml"],
    ):
        result = run_sdkforge(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("sdkforge: error: "), (args, result.stderr)
    assert list(tmp_path.iterdir()) == []
    unknown = run_sdkforge("generate", "--no-such-flag")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr


def test_refuses_to_overwrite_a_foreign_directory(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "__init__.py").write_text("# hand-written\n", encoding="utf-8")
    (tmp_path / "file_in_the_way").write_text("x\n", encoding="utf-8")
    before = tree(tmp_path)
    for package in ("mine", "file_in_the_way"):
        result = run_sdkforge("generate", SEED_SPEC, "--output", tmp_path, "--package", package)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("sdkforge: error: ") and "not generated by sdkforge" in result.stderr
        assert "Traceback" not in result.stderr
    assert tree(tmp_path) == before


def test_configuration_errors_name_the_file_and_pointer(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    target = f'[[tool.sdkforge.targets]]\nspec = "{SEED_SPEC}"\noutput = "out"\npackage = "p"\n'
    for config, where in (
        (
            target + 'overrides = "x"\n[tool.sdkforge.overrides.x]\n"GET /a/b" = 5\n',
            "/tool/sdkforge/overrides/x/GET ~1a~1b",
        ),
        (target.replace('package = "p"\n', ""), "/tool/sdkforge/targets/0"),
        ("[tool.sdkforge\n", ""),
    ):
        pyproject.write_text(config, encoding="utf-8")
        result = run_sdkforge("generate", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"sdkforge: error: {pyproject}{'#' if where else ''}{where}: ")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


def test_a_manifest_edited_out_of_shape_is_reported_and_replaced(tmp_path: Path) -> None:
    package = generate(SEED_SPEC, tmp_path / "out", "acme_sdk")
    manifest = package / "surface.json"
    good = manifest.read_bytes()
    for edited in ("{}", "[1, 2]", '{"sdkforge_manifest": 1, "types": 5, "methods": []}', '"text"'):
        manifest.write_text(edited, encoding="utf-8")
        result = run_sdkforge("generate", SEED_SPEC, "--output", tmp_path / "out", "--package", "acme_sdk")
        assert result.returncode == 0, result.stderr
        assert "is not a manifest sdkforge can read; no change report" in result.stderr, edited
        assert "Traceback" not in result.stderr
        assert manifest.read_bytes() == good, "the manifest is written anew"
