# describe.sh BIN (run from the repository root or anywhere): a table of ~500k items, then describe.py; server CPU over the describe phase
BIN=$1; PORT=18220
rm -rf /tmp/descdata; mkdir -p /tmp/descdata
$BIN serve --port $PORT --data-dir /tmp/descdata > /tmp/desc.log 2>&1 &
pid=$!
for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
/tmp/siltdb-load-lean --endpoint http://127.0.0.1:$PORT --connections 32 --requests 500000 --ops put | tail -1
c0=$(awk '{print $14+$15}' /proc/$pid/stat)
python3 "$(dirname "$0")/describe.py" $PORT
c1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "server CPU over the describe phase: $(( (c1-c0) * 10 )) ms"
kill $pid; wait $pid
