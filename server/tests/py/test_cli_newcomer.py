"""The `siltdb` command as a newcomer meets it: --help says what siltdb is,
`--bind localhost` works, and a refused bind leaves no data directory."""

import socket
import subprocess

from conftest import SiltdbProcess, make_client, siltdb_bin


def test_help_says_what_siltdb_is():
    out = subprocess.run([siltdb_bin(), "--help"], capture_output=True, text=True, timeout=30).stdout
    assert out.startswith("siltdb: DynamoDB you can embed.")
    assert "./siltdb-data" in out


def test_bind_localhost_works():
    s = SiltdbProcess("--in-memory", "--bind", "localhost")
    try:
        assert make_client(s.endpoint).list_tables()["TableNames"] == []
    finally:
        assert s.stop() == 0


def test_a_refused_bind_leaves_no_data_directory(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = subprocess.run(
            [siltdb_bin(), "serve", "--port", str(port)], cwd=tmp_path, capture_output=True, text=True, timeout=30
        )
    assert r.returncode != 0
    assert "listening on" in r.stderr
    assert list(tmp_path.iterdir()) == []
