# describe.py PORT: DescribeTable after a PutItem, timed, ten times; then
# 8 threads calling DescribeTable in a loop for 5 s while one writes.
import json, sys, time, threading, http.client
port = int(sys.argv[1])
H = {'Content-Type': 'application/x-amz-json-1.0',
     'Authorization': 'AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0'}
def call(conn, op, body):
    h = dict(H); h['X-Amz-Target'] = 'DynamoDB_20120810.' + op
    conn.request('POST', '/', json.dumps(body), h)
    r = conn.getresponse(); data = r.read()
    assert r.status == 200, data
    return json.loads(data)
c = http.client.HTTPConnection('127.0.0.1', port)
ts = []
for i in range(10):
    call(c, 'PutItem', {'TableName': 'siltdb-load', 'Item': {'pk': {'S': 'x%d' % i}, 'sk': {'N': '1'}}})
    t = time.time(); d = call(c, 'DescribeTable', {'TableName': 'siltdb-load'}); ts.append(time.time() - t)
print('items %d, DescribeTable after a write: %s ms' % (d['Table']['ItemCount'], ' '.join('%.1f' % (x * 1000) for x in ts)))
stop = time.time() + 5; n = [0]
def poll():
    k = http.client.HTTPConnection('127.0.0.1', port)
    while time.time() < stop:
        call(k, 'DescribeTable', {'TableName': 'siltdb-load'}); n[0] += 1
def write():
    k = http.client.HTTPConnection('127.0.0.1', port); i = 0
    while time.time() < stop:
        call(k, 'PutItem', {'TableName': 'siltdb-load', 'Item': {'pk': {'S': 'w%d' % i}, 'sk': {'N': '1'}}}); i += 1
    n.append(i)
th = [threading.Thread(target=poll) for _ in range(8)] + [threading.Thread(target=write)]
[t.start() for t in th]; [t.join() for t in th]
print('8 pollers + 1 writer, 5 s: %d DescribeTable, %d PutItem' % (n[0], n[1]))
