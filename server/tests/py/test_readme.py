"""The README's aws-cli, PartiQL and boto3 snippets, cut out of README.md between
`<!-- readme-test: NAME -->` and `<!-- /readme-test -->` and run as written
against a fresh server (only the endpoint's port is changed). The Rust
snippet is a doctest of siltdb-server."""

import contextlib
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SiltdbProcess

README = (REPO / "README.md").read_text(encoding="utf-8")
README_ENDPOINT = "http://localhost:8000"


def snippet(name: str) -> str:
    m = re.search(
        rf"<!-- readme-test: {name} -->\s*```\w*\n(.*?)```\s*<!-- /readme-test -->",
        README,
        re.S,
    )
    assert m, f"README.md has no readme-test block {name!r}"
    code = m.group(1)
    assert README_ENDPOINT in code
    return code


@pytest.fixture
def fresh():
    s = SiltdbProcess("--in-memory")
    yield s
    assert s.stop() == 0


def test_readme_names_five_snippets():
    assert re.findall(r"<!-- readme-test: (\S+) -->", README) == ["aws-cli", "partiql", "boto3", "javascript", "rust"]


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
