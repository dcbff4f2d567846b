#!/usr/bin/env bash
# Dead letters at stream speed (issue #17), end to end: the main job (bin/unique-users --input-file F, embedded
# broker) on N malformed frames against N valid frames of the same size (2,048 bytes each), interleaved rounds;
# prints each run's pipeline rate and the median ratio malformed / valid.
# Usage: dead-letters-e2e.sh [frames, default 40000] [rounds, default 3] [work dir, default a new temp dir]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n="${1:-40000}"
rounds="${2:-3}"
dir="${3:-$(mktemp -d)}"
mkdir -p "$dir"
python3 - "$n" "$dir" <<'PY'
import random, sys
n, d = int(sys.argv[1]), sys.argv[2]
size = 2048
rnd = random.Random(17)
base = 1_700_000_000 - 1_700_000_000 % 60
def pad(prefix, suffix):
    fill = size - len(prefix) - len(suffix)
    return prefix + "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=fill)) + suffix
def uid():
    return "%019x" % rnd.getrandbits(76)
with open(f"{d}/valid.jsonl", "w") as v, open(f"{d}/malformed.jsonl", "w") as m:
    for i in range(n):
        ts = base + i // 50
        v.write(pad('{"event":"click","uid":"%s","ts":%d,"pad":"' % (uid(), ts), '"}') + "\n")
        kind = i % 4
        if kind == 0:    # ts of the wrong type
            line = pad('{"event":"click","uid":"%s","ts":"%d","pad":"' % (uid(), ts), '"}')
        elif kind == 1:  # a float ts
            line = pad('{"event":"click","uid":"%s","ts":%d.5,"pad":"' % (uid(), ts), '"}')
        elif kind == 2:  # broken JSON: the object is never closed
            line = pad('{"event":"click","uid":"%s","ts":%d,"pad":"' % (uid(), ts), '"')
        else:            # an array, not an object
            line = pad('[{"uid":"%s","ts":%d},"' % (uid(), ts), '"]')
        assert len(line) == size
        m.write(line + "\n")
PY
"$root/bin/unique-users" --help >/dev/null   # builds the jar once, outside the timed runs
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
run() {  # $1 = valid|malformed; prints frames/s of the pipeline as the app reports it
  "$root/bin/unique-users" --input-file "$dir/$1.jsonl" --no-progress --output-file "$dir/$1.out" \
      >"$dir/$1.log" 2>&1
  grep -E '^ *frames/s ' "$dir/$1.log" | tail -1 | awk '{print $2}' | tr -d ','
}
ratios=()
for r in $(seq 1 "$rounds"); do
  valid=$(run valid)
  malformed=$(run malformed)
  ratio=$(python3 -c "print(round($malformed / $valid, 3))")
  ratios+=("$ratio")
  echo "round $r: valid $valid frames/s, malformed $malformed frames/s, malformed / valid $ratio (load $(cut -d' ' -f1 /proc/loadavg))"
done
python3 -c "import statistics,sys; print('median malformed / valid:', statistics.median(map(float, sys.argv[1:])))" "${ratios[@]}"
