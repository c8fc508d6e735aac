#!/bin/sh
# bench/replay_bench.sh - issue 11: `vmdbg replay` against `vmdbg record` of
# the same run (int32: COUNT traced ring-3 int+iret round trips, every trap
# a record), CPU time of each process, best of REPS.  Prints one line:
#   record_ns=N replay_ns=N records=N
# Usage: replay_bench.sh VMDBG INT32_IMAGE WORKDIR COUNT REPS
vmdbg=$1 img=$2 w=$3 count=$4 reps=$5
python3 - "$vmdbg" "$img" "$w" "$count" "$reps" <<'PY'
import os, resource, subprocess, sys
vmdbg, img, w, count, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
d = bytearray(open(img, 'rb').read())
i = d.find(b'VBCOUNT:')
assert i >= 0 and d.find(b'VBCOUNT:', i + 1) < 0, 'no single count marker'
d[i + 8:i + 12] = count.to_bytes(4, 'little')
pimg = os.path.join(w, 'int32-replay.img')
open(pimg, 'wb').write(d)
trace = os.path.join(w, 'int32-replay.vtr')
def cpu(argv):
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, st, ru = os.wait4(p.pid, 0)
    return (ru.ru_utime + ru.ru_stime) * 1e9, os.waitstatus_to_exitcode(st), out
rec = min(cpu([vmdbg, 'record', '--backend', 'emu', '-q', pimg, '-o', trace])[0] for _ in range(reps))
best, out = None, b''
for _ in range(reps):
    t, st, out = cpu([vmdbg, 'replay', trace])
    assert st == 0, out
    best = t if best is None else min(best, t)
n = out.split()[1].decode()
print('record_ns=%d replay_ns=%d records=%s' % (rec, best, n))
os.unlink(trace); os.unlink(pimg)
PY
