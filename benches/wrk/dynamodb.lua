-- wrk script: PutItem or GetItem against a DynamoDB endpoint, with the
-- items `siltdb-load` uses (benches/src/load.rs): table `siltdb-load`,
-- `pk` (S) = "p" + i / 10 zero-padded to 10 digits, `sk` (N) = i % 10,
-- and on put a 100-character attribute `v`. The table must exist
-- (`siltdb-load --ops get --requests 1` creates it).
--
--   wrk -tT -c32 -d6s --latency -s benches/wrk/dynamodb.lua URL -- put 0 T
--   wrk -tT -c32 -d6s --latency -s benches/wrk/dynamodb.lua URL -- get N T
--
-- T is wrk's thread count (-t), given again because each thread's Lua
-- state knows only its own number. put writes items 0, 1, 2, ... (thread t
-- of T writes t, t + T, ...), so
-- every put inserts a new item into an empty table; get reads items chosen
-- uniformly from 0 .. N-1. Requests are unsigned, with a dummy
-- Authorization header, as `siltdb-load` sends them.

-- setup runs in wrk's main Lua state, init and request in each thread's
-- own: what a thread needs to know is passed with thread:set.
local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local op = "put"
local keys = 1
local next_item = 0
local step = 1
local value = ""
local target = ""
local headers = {}

function init(args)
   op = args[1] or "put"
   keys = tonumber(args[2] or "1")
   if op ~= "put" and op ~= "get" then
      error("operation must be put or get, not " .. op)
   end
   next_item = id
   step = tonumber(args[3] or "1")
   math.randomseed(12345 + id)
   local alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
   local chars = {}
   for i = 1, 100 do
      local k = math.random(1, #alphabet)
      chars[i] = alphabet:sub(k, k)
   end
   value = table.concat(chars)
   target = (op == "put") and "PutItem" or "GetItem"
   headers = {
      ["Content-Type"] = "application/x-amz-json-1.0",
      ["X-Amz-Target"] = "DynamoDB_20120810." .. target,
      ["Authorization"] = "AWS4-HMAC-SHA256 "
         .. "Credential=load/20240101/us-east-1/dynamodb/aws4_request, "
         .. "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0",
      ["X-Amz-Date"] = "20240101T000000Z",
   }
end

local function key(i)
   return string.format('"pk":{"S":"p%010d"},"sk":{"N":"%d"}', math.floor(i / 10), i % 10)
end

function request()
   local body
   if op == "put" then
      local i = next_item
      next_item = next_item + step
      body = '{"TableName":"siltdb-load","Item":{' .. key(i) .. ',"v":{"S":"' .. value .. '"}}}'
   else
      local i = math.random(0, keys - 1)
      body = '{"TableName":"siltdb-load","Key":{' .. key(i) .. '}}'
   end
   return wrk.format("POST", "/", headers, body)
end
