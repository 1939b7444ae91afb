"""`siltdb import` reads a gzipped file (DynamoDB's export data objects are
`*.json.gz`) and says so; the items are then served."""

import gzip
import json
import subprocess

from conftest import SiltdbProcess, make_client, siltdb_bin


def test_import_reads_gzip_and_says_so(tmp_path):
    lines = "".join(
        json.dumps({"Item": {"pk": {"S": f"k{i}"}, "n": {"N": str(i)}}}) + "\n" for i in range(30)
    )
    data = tmp_path / "part-0001.json.gz"
    data.write_bytes(gzip.compress(lines.encode()))
    create = tmp_path / "create.json"
    create.write_text(
        json.dumps(
            {
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            }
        )
    )
    db = tmp_path / "db"
    r = subprocess.run(
        [siltdb_bin(), "import", "--data-dir", str(db), "--table", "Imported", "--in", str(data), "--create-from", str(create)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "gzip-compressed" in r.stderr
    assert "imported 30 items into Imported" in r.stderr
    s = SiltdbProcess("--data-dir", str(db))
    try:
        ddb = make_client(s.endpoint)
        assert ddb.scan(TableName="Imported", Select="COUNT")["Count"] == 30
        assert ddb.get_item(TableName="Imported", Key={"pk": {"S": "k7"}})["Item"]["n"] == {"N": "7"}
    finally:
        assert s.stop() == 0
