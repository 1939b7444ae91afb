"""Starts `siltdb serve --in-memory --port 0` as a real process and points
boto3 (and aws-cli) at it.

The binary is $SILTDB_BIN, or target/release/siltdb (built by
`cargo test --workspace --release`, or `cargo build --release -p siltdb-server`).
"""

import os
import re
import signal
import subprocess
import threading
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

REPO = Path(__file__).resolve().parents[3]

# Any values work: without --credentials the server accepts any signature,
# as DynamoDB Local does. Set here so neither boto3 nor aws-cli looks for a
# profile on the machine.
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_PAGER": "",
}
os.environ.update(CLIENT_ENV)


def siltdb_bin() -> str:
    if os.environ.get("SILTDB_BIN"):
        return os.environ["SILTDB_BIN"]
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "release" / "siltdb"
    if not path.exists():
        pytest.exit(f"{path} not found: run `cargo build --release -p siltdb-server` first", 2)
    return str(path)


class SiltdbProcess:
    """A running `siltdb serve`; its address is read off its log line.

    `command` replaces `siltdb serve` (a command that ends by running it,
    such as `cargo run ... -- serve`), run in `cwd` with `env` added to the
    environment; `start_timeout` is how long it may take to listen."""

    def __init__(
        self, *args: str, command: list[str] | None = None, cwd=None, start_timeout: float = 30, env=None
    ):
        self.proc = subprocess.Popen(
            [*(command or [siltdb_bin(), "serve"]), "--port", "0", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "RUST_LOG": "info", **(env or {})},
            cwd=cwd,
        )
        self.log: list[str] = []
        found = threading.Event()
        self.endpoint = None

        def read_log():
            for line in self.proc.stderr:
                self.log.append(line)
                m = re.search(r"http://(\S+)", line)
                if m and self.endpoint is None:
                    self.endpoint = f"http://{m.group(1)}"
                    found.set()
            found.set()

        threading.Thread(target=read_log, daemon=True).start()
        if not found.wait(start_timeout) or self.endpoint is None:
            self.proc.kill()
            raise RuntimeError(f"siltdb did not start: {''.join(self.log)}")
        host, port = self.endpoint.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host, int(port)

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


def aws(endpoint: str, *args: str, check: bool = True, output: str = "json") -> subprocess.CompletedProcess:
    """Runs `aws dynamodb <args>` against `endpoint`; fails on a non-zero
    exit unless `check` is false."""
    r = subprocess.run(
        ["aws", "dynamodb", *args, "--endpoint-url", endpoint, "--output", output],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ,
    )
    if check:
        assert r.returncode == 0, r.stderr
    return r


def make_client(endpoint: str, **config):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(**config) if config else None,
    )


@pytest.fixture(scope="session")
def server():
    s = SiltdbProcess("--in-memory")
    yield s
    assert s.stop() == 0, "".join(s.log)


@pytest.fixture(scope="session")
def endpoint(server) -> str:
    return server.endpoint


@pytest.fixture(scope="session")
def ddb(endpoint):
    return make_client(endpoint)


@pytest.fixture(scope="session")
def resource(endpoint):
    return boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def create_table(ddb, name: str, sort_key: str | None = None, sort_type: str = "N") -> str:
    """An on-demand table keyed by `pk` (S) and optionally `sort_key`."""
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort_key:
        attrs.append({"AttributeName": sort_key, "AttributeType": sort_type})
        keys.append({"AttributeName": sort_key, "KeyType": "RANGE"})
    ddb.create_table(
        TableName=name,
        AttributeDefinitions=attrs,
        KeySchema=keys,
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture
def table(ddb) -> str:
    """A fresh hash-key-only table."""
    return create_table(ddb, unique("t"))


@pytest.fixture
def sorted_table(ddb) -> str:
    """A fresh table keyed by pk (S) and sk (N)."""
    return create_table(ddb, unique("ts"), "sk")
