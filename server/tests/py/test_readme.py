"""The README's build, install, aws-cli, PartiQL, boto3, JavaScript,
`--cors-origin`, `siltdb export` and storage-engine snippets, cut out of
README.md between `<!-- readme-test: NAME -->` and `<!-- /readme-test -->`
and run as written (against a fresh server, only the endpoint's port
changed; `siltdb` is the built binary; the build command serves on port 0
and keeps nothing, the install command installs into a scratch root; the
storage-engine example runs as a program of its own in a scratch
directory). The DynamoDb Rust snippet is a doctest of siltdb-server. The
README's test command is the one CI runs, and the README links nowhere
outside the repository."""

import contextlib
import http.client
import io
import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SiltdbProcess, make_client, siltdb_bin

README = (REPO / "README.md").read_text(encoding="utf-8")
README_ENDPOINT = "http://localhost:8000"


def block(name: str) -> str:
    m = re.search(
        rf"<!-- readme-test: {name} -->\s*```[\w,]*\n(.*?)```\s*<!-- /readme-test -->",
        README,
        re.S,
    )
    assert m, f"README.md has no readme-test block {name!r}"
    return m.group(1)


def snippet(name: str) -> str:
    code = block(name)
    assert README_ENDPOINT in code
    return code


@pytest.fixture
def fresh():
    s = SiltdbProcess("--in-memory")
    yield s
    assert s.stop() == 0


def test_readme_names_its_snippets():
    assert re.findall(r"<!-- readme-test: (\S+) -->", README) == [
        "build",
        "install",
        "test-command",
        "aws-cli",
        "partiql",
        "boto3",
        "javascript",
        "cors",
        "rust",
        "export",
        "engine",
    ]


def test_readme_links_stay_in_the_repository():
    # Markdown links and autolinks; addresses inside code blocks are
    # commands, not links.
    prose = re.sub(r"```.*?```", "", README, flags=re.S)
    targets = re.findall(r"\]\(([^)]+)\)", prose) + re.findall(r"<(https?://[^>]+)>", prose)
    assert targets, "the README links its own files"
    for target in targets:
        assert not re.match(r"[a-z]+:", target), target
        if not target.startswith("#"):
            assert (REPO / target.split("#")[0]).exists(), target


def run_script(name: str, endpoint: str) -> str:
    script = snippet(name).replace(README_ENDPOINT, endpoint)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    r = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_aws_cli_quick_start(fresh):
    out = run_script("aws-cli", fresh.endpoint)
    assert '"TableName": "Music"' in out  # create-table
    assert out.count('"Spiegel im Spiegel"') == 2  # get-item and query
    assert '"Count": 1' in out  # query


def test_partiql_quick_start(fresh):
    out = run_script("partiql", fresh.endpoint)
    # The last statement's answer: the SELECT's one item.
    last = json.loads(out[out.rindex('{\n    "Items"') :])
    assert last == {
        "Items": [{"Title": {"S": "The Dispossessed"}, "Tags": {"SS": ["anarchism", "utopia"]}}]
    }


def test_boto3_example(fresh):
    code = snippet("boto3").replace(README_ENDPOINT, fresh.endpoint)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md:boto3", "exec"), {})
    assert out.getvalue() == "ada exists\n{'user_id': 'ada', 'visits': Decimal('2')}\n"


def test_javascript_example(fresh, tmp_path):
    # Run from server/tests/js, whose node_modules hold the SDK (`npm ci`).
    js_dir = REPO / "server" / "tests" / "js"
    if not (js_dir / "node_modules" / "@aws-sdk" / "lib-dynamodb").exists():
        pytest.skip("server/tests/js has no node_modules: run `npm ci` there")
    code = snippet("javascript").replace(README_ENDPOINT, fresh.endpoint)
    script = js_dir / f"readme-{os.getpid()}.mjs"
    script.write_text(code, encoding="utf-8")
    try:
        r = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=120)
    finally:
        script.unlink()
    assert r.returncode == 0, r.stderr
    for part in ("id: 'n1'", "text: 'hello'", "stars: 3"):
        assert part in r.stdout, r.stdout


def test_cors_example(tmp_path):
    # Started as written (siltdb adds --port 0 and keeps nothing): a page of
    # that origin gets DynamoDB's preflight answer, another origin none.
    args = shlex.split(block("cors").strip())
    assert args[:2] == ["siltdb", "serve"]
    s = SiltdbProcess(*args[2:], "--in-memory")
    try:
        def preflight(origin):
            conn = http.client.HTTPConnection(s.host, s.port, timeout=30)
            conn.request(
                "OPTIONS",
                "/",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type,x-amz-target,authorization",
                },
            )
            r = conn.getresponse()
            r.read()
            conn.close()
            return {k.lower(): v for k, v in r.getheaders()}

        allowed = preflight("http://localhost:3000")
        assert allowed["access-control-allow-origin"] == "http://localhost:3000"
        assert allowed["access-control-max-age"] == "172800"
        assert "access-control-allow-origin" not in preflight("http://elsewhere.example")
    finally:
        assert s.stop() == 0


def test_export_example(tmp_path):
    # A stopped server's ./siltdb-data holding Music, then the command as
    # written in that directory.
    s = SiltdbProcess("--data-dir", str(tmp_path / "siltdb-data"))
    try:
        ddb = make_client(s.endpoint)
        ddb.create_table(
            TableName="Music",
            AttributeDefinitions=[{"AttributeName": "Artist", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "Artist", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for artist in ("Arvo Pärt", "Hildegard von Bingen"):
            ddb.put_item(TableName="Music", Item={"Artist": {"S": artist}})
    finally:
        assert s.stop() == 0
    command = block("export").strip()
    assert command.startswith("siltdb ")
    r = subprocess.run(
        [siltdb_bin(), *shlex.split(command)[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "music.json").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(l)["Item"]["Artist"]["S"] for l in lines) == ["Arvo Pärt", "Hildegard von Bingen"]
    assert "exported 2 items from Music in " in r.stderr


# Building siltdb-server in release takes minutes on a cold target
# directory; the commands below share the suite's (CARGO_TARGET_DIR or
# target/), so after `cargo test --workspace --release` little is left.
BUILD_TIMEOUT = 1800


def cargo_env(**extra):
    env = {**os.environ, **extra}
    env.setdefault("CARGO_TARGET_DIR", str(REPO / "target"))
    return env


def test_build_command_builds_and_serves():
    # As written, in the repository; the server it starts keeps nothing and
    # listens on a free port (instead of ./siltdb-data and port 8000).
    command = shlex.split(block("build").strip())
    assert command[:2] == ["cargo", "run"] and command[-1] == "serve"
    os.environ.setdefault("CARGO_TARGET_DIR", str(REPO / "target"))
    s = SiltdbProcess("--in-memory", command=command, cwd=REPO, start_timeout=BUILD_TIMEOUT)
    try:
        ddb = make_client(s.endpoint)
        assert ddb.list_tables()["TableNames"] == []
    finally:
        assert s.stop() == 0


def test_install_command_puts_siltdb_in_a_bin_directory(tmp_path):
    command = shlex.split(block("install").strip())
    assert command[:2] == ["cargo", "install"]
    r = subprocess.run(
        [*command, "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=cargo_env(),
    )
    assert r.returncode == 0, r.stderr
    installed = tmp_path / "bin" / "siltdb"
    out = subprocess.run([str(installed), "--help"], capture_output=True, text=True, timeout=30).stdout
    assert out.startswith("siltdb: DynamoDB you can embed.")


def test_test_command_is_the_one_ci_runs():
    command = block("test-command").strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in [line.strip() for line in ci]


def test_storage_engine_example_runs(tmp_path):
    # The example as a program's `main` (its hidden `# ` lines shown, as
    # rustdoc compiles them), depending on this checkout's engine, run in a
    # scratch directory so its ./my-data lands there.
    lines = [l[2:] if l.startswith("# ") else l for l in block("engine").splitlines()]
    crate = tmp_path / "readme-engine"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        "[package]\n"
        'name = "readme-engine"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "[dependencies]\n"
        f"siltdb = {{ path = {json.dumps(str(REPO / 'engine'))} }}\n\n"
        "[workspace]\n",
        encoding="utf-8",
    )
    uses = [l for l in lines if l.startswith("use ")]
    body = [l for l in lines if not l.startswith("use ")]
    (crate / "src" / "main.rs").write_text(
        "\n".join(uses) + "\n\nfn main() -> Result<(), siltdb::Error> {\n" + "\n".join(body) + "\n}\n",
        encoding="utf-8",
    )
    # The workspace's lock file pins the engine's dependencies to the
    # versions the rest of the suite built (and downloaded).
    (crate / "Cargo.lock").write_bytes((REPO / "Cargo.lock").read_bytes())
    r = subprocess.run(
        ["cargo", "run", "--offline", "-q", "--manifest-path", str(crate / "Cargo.toml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=cargo_env(CARGO_TARGET_DIR=str(Path(cargo_env()["CARGO_TARGET_DIR"]) / "readme-engine")),
    )
    assert r.returncode == 0, r.stderr
    # The iteration from `user#` prints the one key left, user#2 = grace.
    assert r.stdout == f"{list(b'user#2')} = {list(b'grace')}\n"
    assert (tmp_path / "my-data" / "CURRENT").is_file()
