"""A spec is untrusted input (it arrives in pull requests and is generated in CI): what an attacker can put in one
must not read files outside the spec's folder, reach the network, or exhaust the machine. Each attack is refused
with exit 2 and one line naming the file and pointer, nothing is written, and nothing it tried to read leaks."""

from __future__ import annotations

import http.server
import json
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.limits import MAX_DEPTH, MAX_INLINE_NESTING, MAX_SCHEMA_NESTING
from generator.load import load
from tests.conftest import run_sdkforge, tree

SECRET = "TOPSECRET-7f3a9c"
HEAD = 'openapi: 3.0.3\ninfo: {title: Attack, version: "1"}\n'
RESPONSE = "#/paths/~1x/get/responses/200/content/application~1json/schema"


def spec_with_schema(schema: str) -> str:
    return HEAD + (
        "paths:\n  /x:\n    get:\n      operationId: get_x\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        f"              schema: {schema}\n"
    )


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """tmp/spec/ holds the spec; tmp/outside/ holds a secret the spec must not be able to read."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(
        f"Secret: {{type: object, description: {SECRET}}}\nTOKEN: {SECRET}\n"
    )
    return tmp_path


def refused(spec: Path, expected: str, *extra: str | Path) -> None:
    """Exit 2, exactly one line, which starts with `expected`; no output written; no secret in it."""
    out = spec.parent.parent / "out"
    result = run_sdkforge("generate", spec, "--output", out, "--package", "attacked", *extra, cwd=spec.parent)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sdkforge: error: {expected}"), lines[0]
    assert "Traceback" not in result.stderr and SECRET not in result.stderr + result.stdout
    assert not out.exists()


def generated_text(root: Path) -> str:
    return "".join(data.decode() for data in tree(root).values())


# --- file reads ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "file"),
    [
        ("../outside/secret.yaml#/Secret", "../outside/secret.yaml"),
        ("sub/../../outside/secret.yaml#/Secret", "sub/../../outside/secret.yaml"),
        ("..%2Foutside%2Fsecret.yaml#/Secret", "../outside/secret.yaml"),
    ],
)
def test_a_relative_ref_out_of_the_folder_is_refused(layout: Path, ref: str, file: str) -> None:
    spec = layout / "spec" / "api.yaml"
    spec.write_text(spec_with_schema(f"{{$ref: '{ref}'}}"))
    refused(spec, f"api.yaml{RESPONSE}: $ref '{ref}': '{file}' leads outside the spec's folder (list the folder")


def test_an_absolute_ref_out_of_the_folder_is_refused(layout: Path) -> None:
    secret = layout / "outside" / "secret.yaml"
    spec = layout / "spec" / "api.yaml"
    spec.write_text(spec_with_schema(f"{{$ref: '{secret}#/Secret'}}"))
    refused(spec, f"api.yaml{RESPONSE}: $ref '{secret}#/Secret': '{secret}' leads outside the spec's folder")


def test_a_symlink_out_of_the_folder_is_refused(layout: Path) -> None:
    (layout / "spec" / "innocent.yaml").symlink_to(layout / "outside" / "secret.yaml")
    spec = layout / "spec" / "api.yaml"
    spec.write_text(spec_with_schema("{$ref: 'innocent.yaml#/Secret'}"))
    refused(spec, f"api.yaml{RESPONSE}: $ref 'innocent.yaml#/Secret': 'innocent.yaml' leads outside the spec's folder")


@pytest.fixture
def listening() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request: a URL $ref must not reach it."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = f"Secret: {{type: object, description: {SECRET}}}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_a_url_ref_is_refused_without_a_request(layout: Path, listening: tuple[str, list[str]], scheme: str) -> None:
    base, requests = listening
    url = f"{base}/secret.yaml#/Secret" if scheme == "http" else f"file://{layout}/outside/secret.yaml#/Secret"
    spec = layout / "spec" / "api.yaml"
    spec.write_text(spec_with_schema(f"{{$ref: '{url}'}}"))
    refused(spec, f"api.yaml{RESPONSE}: $ref '{url}': URLs are not followed")
    assert requests == []


def test_a_listed_ref_root_may_be_read(layout: Path) -> None:
    (layout / "outside" / "shared.yaml").write_text(
        "Shared: {type: object, properties: {kept_field: {type: string}}}\n"
    )
    spec = layout / "spec" / "api.yaml"
    spec.write_text(spec_with_schema("{$ref: '../outside/shared.yaml#/Shared'}"))
    refused(spec, f"api.yaml{RESPONSE}: $ref '../outside/shared.yaml#/Shared': '../outside/shared.yaml' leads outside")

    result = run_sdkforge(
        "generate", spec, "--output", layout / "cli", "--package", "p", "--ref-root", layout / "outside"
    )
    assert result.returncode == 0, result.stderr
    assert "kept_field" in generated_text(layout / "cli" / "p")

    # The same from the target's config, relative to the config file.
    (layout / "pyproject.toml").write_text(
        '[[tool.sdkforge.targets]]\nspec = "spec/api.yaml"\noutput = "config"\npackage = "p"\nref_roots = ["outside"]\n'
    )
    result = run_sdkforge("generate", "--config", layout / "pyproject.toml")
    assert result.returncode == 0, result.stderr
    assert "kept_field" in generated_text(layout / "config" / "p")


def test_a_ref_where_the_grammar_wants_data_is_data(layout: Path) -> None:
    """Only where a Reference Object (or a schema's $ref) may stand is `$ref` followed: elsewhere it is a value,
    and nothing it names is read, even inside the folder."""
    (layout / "spec" / "token.yaml").write_text(f"TOKEN: {SECRET}\n")
    spec = layout / "spec" / "api.yaml"
    spec.write_text(
        HEAD
        + "paths:\n  /x:\n    get:\n      operationId: get_x\n"
        + "      description: {$ref: 'token.yaml#/TOKEN'}\n"
        + "      x-extra: {$ref: 'token.yaml#/TOKEN'}\n"
        + "      responses:\n        '200':\n          description: ok\n          content:\n"
        + "            application/json:\n              schema:\n                type: object\n"
        + "                properties:\n                  note: {type: string, default: {$ref: 'token.yaml#/TOKEN'}}\n"
        + "                example: {note: {$ref: 'token.yaml#/TOKEN'}}\n"
    )
    result = run_sdkforge("generate", spec, "--output", layout / "out", "--package", "p")
    assert result.returncode == 0, result.stderr
    assert SECRET not in generated_text(layout / "out" / "p") + result.stderr


# --- bounded work --------------------------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """Each anchor repeats the one before ten times: about 1 KB of YAML for 10^(levels+1) leaves."""
    lines = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return HEAD + "paths: {}\nx-bomb:\n" + "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_quickly_and_in_little_memory(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(alias_bomb())
    assert len(spec.read_bytes()) < 1100
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(SpecError) as error:
            load(spec)
        seconds = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.value.message == "YAML aliases repeat more than 1,000,000 nodes"
    assert error.value.pointer.startswith("/x-bomb/a")
    assert seconds < 1.0 and peak < 200 * 2**20, (seconds, peak)


def run_limited(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with a 1 GB address-space cap and a 60 s CPU cap, so that a regression fails this test instead
    of taking the machine down with it."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=cap,
    )


def document_with(components: dict[str, object], paths: dict[str, object] | None = None) -> str:
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths or {}, "components": components}
    )


def callbacks(levels: int, repeats: int) -> str:
    """Callback C0's operation has callbacks C1 (`repeats` times), whose operation has C2, ...: each is
    inlined (openapi-pydantic takes no callback $ref), so the copies multiply."""
    repeated = {
        f"C{i}": {
            "{$request.body#/url}": {
                "post": {
                    "responses": {"200": {"description": "ok"}},
                    "callbacks": {f"a{j}": {"$ref": f"#/components/callbacks/C{i + 1}"} for j in range(repeats)},
                }
            }
        }
        for i in range(levels)
    }
    operation = {"responses": {"200": {"description": "ok"}}, "callbacks": {"c": {"$ref": "#/components/callbacks/C0"}}}
    return document_with({"callbacks": repeated | {f"C{levels}": {}}}, {"/x": {"post": operation}})


HOSTILE_DOCUMENTS: dict[str, tuple[str, str, str]] = {
    # name -> (file name, text, expected start of the error line after "sdkforge: error: ")
    "alias bomb": ("bomb.yaml", alias_bomb(), "bomb.yaml#/x-bomb/a5/7: YAML aliases repeat more than 1,000,000"),
    "alias inside its own anchor": (
        "cycle.yaml",
        HEAD + "paths: {}\nx-loop: &loop {again: *loop}\n",
        "cycle.yaml#/x-loop/again: the alias *loop is inside its own anchor (a cycle)",
    ),
    "alias nesting too deep": (
        "tower.yaml",
        HEAD
        + "paths: {}\n"
        + "".join(f"x-{i}: &t{i} [*t{i - 1}]\n" if i else "x-0: &t0 []\n" for i in range(MAX_DEPTH + 1)),
        f"tower.yaml#/x-{MAX_DEPTH - 1}/0: the alias *t{MAX_DEPTH - 2} nests more than {MAX_DEPTH} levels deep",
    ),
    "YAML 150 flow levels deep": (
        "deep.yaml",
        HEAD + "paths: {}\nx-deep: " + "[" * 150 + "]" * 150 + "\n",
        "deep.yaml#/x-deep/" + "/".join(["0"] * (MAX_DEPTH - 1)) + f": nested more than {MAX_DEPTH} levels deep",
    ),
    # libyaml's parser stops at 1,000 levels by itself (its composer, which sdkforge does not use, would crash).
    "YAML 100,000 flow levels deep": (
        "deeper.yaml",
        HEAD + "paths: {}\nx-deep: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "deeper.yaml: invalid YAML at line 4, column 1008: exceeded maximum nesting depth",
    ),
    "YAML block mappings too deep": (
        "block.yaml",
        HEAD + "paths: {}\nx-deep:\n" + "".join(" " * (2 * i + 2) + "k:\n" for i in range(200)),
        "block.yaml#/x-deep/" + "/".join(["k"] * (MAX_DEPTH - 1)) + f": nested more than {MAX_DEPTH} levels deep",
    ),
    "JSON schemas 3,000 levels deep": (
        "deep.json",
        '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": '
        + '{"D": '
        + '{"type": "object", "properties": {"p": ' * 3000
        + "{}"
        + "}}" * 3000
        + "}}}",
        "deep.json#/components/schemas/D"
        + "/properties/p" * 48
        + f"/properties: nested more than {MAX_DEPTH} levels deep",
    ),
    "a chain of components longer than the nesting limit": (
        "chain.json",
        document_with(
            {
                "schemas": {
                    f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}}}
                    for i in range(MAX_SCHEMA_NESTING + 1)
                }
                | {f"S{MAX_SCHEMA_NESTING + 1}": {"type": "string"}}
            }
        ),
        f"chain.json#/components/schemas/S{MAX_SCHEMA_NESTING}: schemas nest more than {MAX_SCHEMA_NESTING:,} levels",
    ),
    "components extending each other 3,000 times": (
        "extends.json",
        document_with(
            {
                "schemas": {
                    f"S{i}": {
                        "allOf": [
                            {"$ref": f"#/components/schemas/S{i + 1}"},
                            {"type": "object", "properties": {f"f{i}": {"type": "string"}}},
                        ]
                    }
                    for i in range(3000)
                }
                | {"S3000": {"type": "object"}}
            }
        ),
        "extends.json#/components/schemas/S",  # wherever the fields add up to the limit
    ),
    "callbacks that repeat each other": (
        "callbacks.json",
        callbacks(levels=25, repeats=2),
        "callbacks.json#/components/callbacks/C",  # wherever the copies add up to the limit
    ),
    "callbacks inside callbacks 3,000 deep": (
        "nested_callbacks.json",
        callbacks(levels=3000, repeats=1),
        f"nested_callbacks.json#/components/callbacks/C{MAX_INLINE_NESTING - 1}/{{$request.body#~1url}}/post/"
        f"callbacks/a0: $ref '#/components/callbacks/C{MAX_INLINE_NESTING}': references inlined inside each other",
    ),
    "an integer of 5,000 digits": (
        "digits.yaml",
        HEAD + "paths: {}\nx-number: " + "9" * 5000 + "\n",
        "digits.yaml: cannot read a value: Exceeds the limit",
    ),
}


def test_a_long_chain_of_references_in_another_file_generates(tmp_path: Path) -> None:
    """Schemas bundled from another file are walked one after another, not inside each other, and lowering
    follows a chain far longer than Python's default recursion limit allows."""
    links = 1500
    library = {f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/S{i + 1}"}}} for i in range(links)}
    (tmp_path / "lib.json").write_text(json.dumps(library | {f"S{links}": {"type": "string"}}))
    (tmp_path / "api.yaml").write_text(spec_with_schema("{$ref: 'lib.json#/S0'}"))
    result = run_limited("generate", "api.yaml", "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(list((tmp_path / "out" / "p" / "types").glob("s*.py"))) == links + 1  # and the string it ends in


@pytest.mark.parametrize("case", HOSTILE_DOCUMENTS)
def test_hostile_documents_are_refused_with_bounded_work(case: str, tmp_path: Path) -> None:
    name, text, expected = HOSTILE_DOCUMENTS[case]
    (tmp_path / name).write_text(text)
    result = run_limited("generate", name, "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sdkforge: error: {expected}"), result.stderr[-2000:]
    assert not (tmp_path / "out").exists()


def test_nesting_up_to_the_limit_generates(tmp_path: Path) -> None:
    """The limits refuse only what no real spec needs: a schema as deep as the limit allows still generates."""
    levels = (MAX_DEPTH - 4) // 2  # the document, components, schemas and the component are four levels
    schema: dict[str, object] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    for _ in range(levels - 1):
        schema = {"type": "object", "properties": {"p": schema}}
    chain = {f"S{i}": {"type": "array", "items": {"$ref": f"#/components/schemas/S{i + 1}"}} for i in range(80)}
    (tmp_path / "deep.json").write_text(
        document_with({"schemas": {"Deep": schema} | chain | {"S80": {"type": "string"}}})
    )
    result = run_limited("generate", "deep.json", "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "leaf" in generated_text(tmp_path / "out" / "p")


def test_a_shared_anchor_is_still_read(tmp_path: Path) -> None:
    """YAML anchors are fine within the budget: real specs use them for repeated responses."""
    (tmp_path / "anchors.yaml").write_text(
        HEAD
        + "paths:\n"
        + "".join(
            f"  /r{i}:\n    get:\n      operationId: get_r{i}\n      responses: {'&ok ' if i == 0 else ''}"
            + ("{'200': {description: ok, content: {application/json: {schema: {type: string}}}}}" if i == 0 else "*ok")
            + "\n"
            for i in range(3)
        )
    )
    spec = load(tmp_path / "anchors.yaml")
    assert [spec.raw["paths"][f"/r{i}"]["get"]["responses"]["200"]["description"] for i in range(3)] == ["ok"] * 3


def test_names_longer_than_a_file_name_may_be_generated(tmp_path: Path) -> None:
    """Schema names and path segments become module files: a 400-character name must not become a file name
    the file system refuses (255 bytes)."""
    long_schema, long_segment = "VeryLong" * 50, "segment" * 60
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            f"/{long_segment}/x": {
                "get": {
                    "operationId": "o" * 300,
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": f"#/components/schemas/{long_schema}"}}
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": {long_schema: {"type": "object"}, long_schema + "2": {"type": "object"}}},
    }
    (tmp_path / "long.json").write_text(json.dumps(document))
    result = run_limited("generate", "long.json", "--output", tmp_path / "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    files = tree(tmp_path / "out" / "p")
    assert max(len(Path(name).name) for name in files) < 255
    assert sum(name.startswith("types/very_long") for name in files) == 2  # cut, and still two modules
    imported = subprocess.run(
        [sys.executable, "-c", "import p; print(len(p.P(base_url='http://127.0.0.1:9').__dict__) > 0)"],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr


def test_a_percent_encoded_pointer_is_utf8(tmp_path: Path) -> None:
    """`caf%C3%A9` names the component `café` (percent-encoded UTF-8), not `cafÃ©`."""
    (tmp_path / "api.yaml").write_text(
        spec_with_schema("{$ref: '#/components/schemas/caf%C3%A9'}")
        + "components:\n  schemas:\n    café: {type: object, properties: {crema: {type: boolean}}}\n",
        encoding="utf-8",
    )
    spec = load(tmp_path / "api.yaml")
    schema = spec.raw["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/café"}
