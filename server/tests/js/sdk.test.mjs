// The AWS SDK for JavaScript (v3) as a real client of `siltdb serve`: every
// request is built, signed and sent by the SDK and every answer parsed by
// it, so a response shape or error the SDK does not accept fails here.
//
// The binary is $SILTDB_BIN, or target/release/siltdb from the repository
// root. Run: `npm ci && node --test` in this directory (`.ci/run` does).

import { spawn } from "node:child_process";
import { once } from "node:events";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DuplicateItemException,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import {
  BatchExecuteStatementCommand,
  DynamoDBDocumentClient,
  ExecuteStatementCommand as DocExecuteStatementCommand,
  ExecuteTransactionCommand,
} from "@aws-sdk/lib-dynamodb";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.SILTDB_BIN ?? resolve(here, "../../../target/release/siltdb");

let server;
let ddb;
let streams;

/** Starts `siltdb serve --in-memory --port 0`; resolves to its endpoint. */
async function startServer() {
  server = spawn(bin, ["serve", "--in-memory", "--port", "0"], {
    env: { ...process.env, RUST_LOG: "info" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`siltdb did not start: ${log}`)), 30000);
    server.stderr.on("data", (chunk) => {
      log += chunk;
      const m = /http:\/\/(\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(`http://${m[1]}`);
      }
    });
    server.on("exit", (code) => fail(new Error(`siltdb exited (${code}): ${log}`)));
  });
}

const clientConfig = (endpoint) => ({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
});

before(async () => {
  const endpoint = await startServer();
  ddb = new DynamoDBClient(clientConfig(endpoint));
  streams = new DynamoDBStreamsClient(clientConfig(endpoint));
});

after(async () => {
  ddb?.destroy();
  streams?.destroy();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    const [code] = await once(server, "exit");
    assert.equal(code, 0, "siltdb serve exits cleanly on SIGTERM");
  }
});

let counter = 0;
const unique = (prefix) => `${prefix}-${process.pid}-${++counter}`;

/** A table with `pk` S / `sk` N, a GSI on `g` (S) and a stream. */
async function createOrders() {
  const name = unique("orders");
  const out = await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
        { AttributeName: "g", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "byG",
          KeySchema: [
            { AttributeName: "g", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  return { name, description: out.TableDescription };
}

test("tables are created, described and listed", async () => {
  const { name, description } = await createOrders();
  assert.equal(description.TableStatus, "CREATING");
  assert.equal(description.GlobalSecondaryIndexes[0].IndexName, "byG");
  assert.equal(description.GlobalSecondaryIndexes[0].IndexStatus, "ACTIVE");
  assert.match(description.LatestStreamArn, new RegExp(`table/${name}/stream/`));
  const described = await ddb.send(new DescribeTableCommand({ TableName: name }));
  assert.equal(described.Table.TableName, name);
  assert.equal(described.Table.TableStatus, "ACTIVE");
  assert.equal(described.Table.ItemCount, 0);
  const listed = await ddb.send(new ListTablesCommand({}));
  assert.ok(listed.TableNames.includes(name));
  await assert.rejects(
    ddb.send(new DescribeTableCommand({ TableName: unique("missing") })),
    (e) => e instanceof ResourceNotFoundException && e.$metadata.httpStatusCode === 400,
  );
});

test("items are written, updated, read and conditionally refused", async () => {
  const { name } = await createOrders();
  const key = { pk: { S: "a" }, sk: { N: "1" } };
  await ddb.send(
    new PutItemCommand({ TableName: name, Item: { ...key, g: { S: "x" }, n: { N: "5" } } }),
  );
  const updated = await ddb.send(
    new UpdateItemCommand({
      TableName: name,
      Key: key,
      UpdateExpression: "SET n = n + :d, tags = :t",
      ExpressionAttributeValues: { ":d": { N: "2" }, ":t": { SS: ["p", "q"] } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  assert.deepEqual(updated.Attributes, { n: { N: "7" }, tags: { SS: ["p", "q"] } });
  const got = await ddb.send(new GetItemCommand({ TableName: name, Key: key, ConsistentRead: true }));
  assert.deepEqual(got.Item, { ...key, g: { S: "x" }, n: { N: "7" }, tags: { SS: ["p", "q"] } });

  await assert.rejects(
    ddb.send(
      new PutItemCommand({
        TableName: name,
        Item: { ...key, n: { N: "0" } },
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    ),
    (e) => {
      assert.ok(e instanceof ConditionalCheckFailedException, e.name);
      assert.equal(e.message, "The conditional request failed");
      assert.deepEqual(e.Item.n, { N: "7" });
      return true;
    },
  );
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: key }));
  const gone = await ddb.send(new GetItemCommand({ TableName: name, Key: key }));
  assert.equal(gone.Item, undefined);
});

test("a global secondary index is queried page by page", async () => {
  const { name } = await createOrders();
  const requests = [];
  for (let i = 0; i < 7; i++) {
    const item = { pk: { S: `p${i % 3}` }, sk: { N: String(i) }, body: { S: "x".repeat(10) } };
    if (i !== 3) item.g = { S: "open" }; // item 3 is not in the sparse index
    requests.push({ PutRequest: { Item: item } });
  }
  const written = await ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: requests } }));
  assert.deepEqual(written.UnprocessedItems, {});

  const seen = [];
  let start;
  let pages = 0;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: name,
        IndexName: "byG",
        KeyConditionExpression: "g = :g",
        ExpressionAttributeValues: { ":g": { S: "open" } },
        Limit: 4,
        ExclusiveStartKey: start,
      }),
    );
    pages++;
    for (const item of page.Items) {
      assert.deepEqual(Object.keys(item).sort(), ["g", "pk", "sk"], "KEYS_ONLY projection");
      seen.push(Number(item.sk.N));
    }
    start = page.LastEvaluatedKey;
    if (start) assert.deepEqual(Object.keys(start).sort(), ["g", "pk", "sk"]);
  } while (start);
  assert.deepEqual(seen, [0, 1, 2, 4, 5, 6]);
  assert.equal(pages, 2);

  const batch = await ddb.send(
    new BatchGetItemCommand({
      RequestItems: {
        [name]: { Keys: [{ pk: { S: "p0" }, sk: { N: "3" } }, { pk: { S: "p0" }, sk: { N: "0" } }] },
      },
    }),
  );
  assert.deepEqual(batch.Responses[name].map((i) => i.sk.N).sort(), ["0", "3"]);
});

test("a cancelled transaction reports a reason per action", async () => {
  const { name } = await createOrders();
  await ddb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "t" }, sk: { N: "1" } } }));
  await assert.rejects(
    ddb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: name, Item: { pk: { S: "t" }, sk: { N: "2" } } } },
          {
            ConditionCheck: {
              TableName: name,
              Key: { pk: { S: "t" }, sk: { N: "1" } },
              ConditionExpression: "attribute_not_exists(pk)",
            },
          },
        ],
      }),
    ),
    (e) => {
      assert.ok(e instanceof TransactionCanceledException, e.name);
      assert.deepEqual(
        e.CancellationReasons.map((r) => r.Code),
        ["None", "ConditionalCheckFailed"],
      );
      return true;
    },
  );
  const none = await ddb.send(
    new GetItemCommand({ TableName: name, Key: { pk: { S: "t" }, sk: { N: "2" } } }),
  );
  assert.equal(none.Item, undefined, "nothing of a cancelled transaction is written");
});

test("a stream consumer reads every change in order", async () => {
  const { name, description } = await createOrders();
  const key = { pk: { S: "s" }, sk: { N: "1" } };
  await ddb.send(new PutItemCommand({ TableName: name, Item: { ...key, v: { N: "1" } } }));
  await ddb.send(
    new UpdateItemCommand({
      TableName: name,
      Key: key,
      UpdateExpression: "SET v = :v",
      ExpressionAttributeValues: { ":v": { N: "2" } },
    }),
  );
  await ddb.send(new DeleteItemCommand({ TableName: name, Key: key }));

  const arn = description.LatestStreamArn;
  const stream = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(stream.StreamDescription.StreamStatus, "ENABLED");
  const shard = stream.StreamDescription.Shards[0];
  let { ShardIterator: it } = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: arn,
      ShardId: shard.ShardId,
      ShardIteratorType: "TRIM_HORIZON",
    }),
  );
  const records = [];
  while (it) {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
    records.push(...out.Records);
    if (out.Records.length === 0) break;
    it = out.NextShardIterator;
  }
  assert.deepEqual(
    records.map((r) => r.eventName),
    ["INSERT", "MODIFY", "REMOVE"],
  );
  assert.deepEqual(records[1].dynamodb.OldImage.v, { N: "1" });
  assert.deepEqual(records[1].dynamodb.NewImage.v, { N: "2" });
  assert.ok(records[0].dynamodb.ApproximateCreationDateTime instanceof Date);
  const seqs = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
});

test("PartiQL statements run through ExecuteStatementCommand", async () => {
  const { name } = await createOrders();
  for (const sk of [1, 2, 3]) {
    await ddb.send(
      new ExecuteStatementCommand({
        Statement: `INSERT INTO "${name}" VALUE {'pk': ?, 'sk': ?, 'g': 'x'}`,
        Parameters: [{ S: "p" }, { N: String(sk) }],
      }),
    );
  }
  await assert.rejects(
    ddb.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${name}" VALUE {'pk': 'p', 'sk': 1}` })),
    (e) => e instanceof DuplicateItemException && e.message === "Duplicate primary key exists in table",
  );
  const pages = [];
  let NextToken;
  do {
    const out = await ddb.send(
      new ExecuteStatementCommand({
        Statement: `SELECT sk FROM "${name}" WHERE pk = 'p' ORDER BY sk DESC`,
        Limit: 2,
        NextToken,
      }),
    );
    pages.push(out.Items.map((i) => i.sk.N));
    NextToken = out.NextToken;
  } while (NextToken);
  assert.deepEqual(pages, [["3", "2"], ["1"]]);
  const index = await ddb.send(
    new ExecuteStatementCommand({ Statement: `SELECT sk FROM "${name}"."byG" WHERE g = 'x' AND sk > 1` }),
  );
  assert.deepEqual(index.Items, [{ sk: { N: "2" } }, { sk: { N: "3" } }]);
  await assert.rejects(
    ddb.send(
      new ExecuteStatementCommand({
        Statement: `UPDATE "${name}" SET v = 1 WHERE pk = 'p' AND sk = 1 AND v = 2`,
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    ),
    (e) => e instanceof ConditionalCheckFailedException && e.Item.sk.N === "1",
  );
});

test("the document client's PartiQL commands take and give plain values", async () => {
  const { name } = await createOrders();
  const doc = DynamoDBDocumentClient.from(ddb);
  await doc.send(
    new DocExecuteStatementCommand({
      Statement: `INSERT INTO "${name}" VALUE {'pk': ?, 'sk': ?, 'tags': ?, 'info': ?}`,
      Parameters: ["doc", 1, new Set(["a", "b"]), { nested: [1, "two", null, true] }],
    }),
  );
  const out = await doc.send(
    new DocExecuteStatementCommand({
      Statement: `SELECT tags, info.nested[1] FROM "${name}" WHERE pk = ? AND sk = ?`,
      Parameters: ["doc", 1],
    }),
  );
  assert.deepEqual(out.Items, [{ tags: new Set(["a", "b"]), "nested[1]": "two" }]);

  const batch = await doc.send(
    new BatchExecuteStatementCommand({
      Statements: [
        { Statement: `UPDATE "${name}" SET n = ? WHERE pk = 'doc' AND sk = 1`, Parameters: [5] },
        { Statement: `UPDATE "${name}" SET n = 1 WHERE pk = 'nobody' AND sk = 1` },
      ],
    }),
  );
  assert.equal(batch.Responses[0].Error, undefined);
  assert.equal(batch.Responses[1].Error.Code, "ConditionalCheckFailed");

  await doc.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `UPDATE "${name}" SET n = n + ? WHERE pk = 'doc' AND sk = 1`, Parameters: [10] },
        { Statement: `INSERT INTO "${name}" VALUE {'pk': 'doc', 'sk': 2}` },
      ],
    }),
  );
  const read = await doc.send(
    new ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `SELECT n FROM "${name}" WHERE pk = 'doc' AND sk = 1` },
        { Statement: `SELECT * FROM "${name}" WHERE pk = 'doc' AND sk = 2` },
      ],
    }),
  );
  assert.deepEqual(
    read.Responses.map((r) => r.Item),
    [{ n: 15 }, { pk: "doc", sk: 2 }],
  );
});
