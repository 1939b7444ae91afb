"""GetRecords cost: a table with a NEW_AND_OLD_IMAGES stream, 4,000 items
of ~1 KiB each put then overwritten (8,000 records), then ROUNDS passes
reading the whole shard with Limit 1000. Prints the server's CPU per
GetRecords call and per record (utime+stime from /proc) and its VmHWM."""
import os, subprocess, sys, time, socket
import boto3
from botocore.config import Config

binary, port = sys.argv[1], int(sys.argv[2])
rounds = int(os.environ.get("ROUNDS", "10"))
data = f"/tmp/gr/data-{port}"
subprocess.run(["rm", "-rf", data])
os.makedirs(data)
p = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port)).close(); break
    except OSError:
        time.sleep(0.1)
kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
          aws_access_key_id="a", aws_secret_access_key="b",
          config=Config(retries={"max_attempts": 1}))
ddb = boto3.client("dynamodb", **kw)
st = boto3.client("dynamodbstreams", **kw)
ddb.create_table(TableName="gr-table", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                 BillingMode="PAY_PER_REQUEST",
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
for gen in range(2):
    for i in range(4000):
        ddb.put_item(TableName="gr-table", Item={"pk": {"S": f"k{i:06}"}, "n": {"N": str(i * 7 + gen)},
                                          "v": {"S": ("x%d" % gen) * 300},
                                          "l": {"L": [{"N": str(j)} for j in range(10)]}})
arn = ddb.describe_table(TableName="gr-table")["Table"]["LatestStreamArn"]
shard = st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

def cpu():
    f = open(f"/proc/{p.pid}/stat").read().split()
    return int(f[13]) + int(f[14])

calls = records = 0
c0 = cpu(); t0 = time.time()
for _ in range(rounds):
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard,
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while it:
        r = st.get_records(ShardIterator=it, Limit=1000)
        calls += 1; records += len(r["Records"])
        if not r["Records"]:
            break
        it = r.get("NextShardIterator")
c1 = cpu(); t1 = time.time()
hwm = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmHWM")][0].split()[1]
tick = os.sysconf("SC_CLK_TCK")
print(f"{binary}: {calls} calls, {records} records, server cpu {(c1-c0)/tick*1e6/calls:.0f} us/call, "
      f"{(c1-c0)/tick*1e6/records:.2f} us/record, wall {(t1-t0):.2f} s, VmHWM {int(hwm)/1024:.1f} MiB")
p.terminate(); p.wait()
subprocess.run(["rm", "-rf", data])
