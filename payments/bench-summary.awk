# Summarises the per-CPU-second lines that TicketValidationBench and ValidationFloorBench print for each measured
# (not warm-up) iteration: n, mean +- standard deviation, min-max, and the load averages seen. Usage:
#   ./mvnw -B -q -pl payments -Pbench test-compile exec:exec | tee /tmp/bench.txt; awk -f payments/bench-summary.awk /tmp/bench.txt
/^Iteration .*per CPU-second/ {
  match($0, /\[[a-z-]+:/); key = substr($0, RSTART + 1, RLENGTH - 2)
  match($0, /: [0-9]+ /); v = substr($0, RSTART + 2, RLENGTH - 3) + 0
  match($0, /load average [0-9.]+/); load = substr($0, RSTART + 13, RLENGTH - 13) + 0
  n[key]++; s[key] += v; ss[key] += v * v
  if (!(key in lo) || v < lo[key]) lo[key] = v
  if (!(key in hi) || v > hi[key]) hi[key] = v
  if (!(key in llo) || load < llo[key]) llo[key] = load
  if (!(key in lhi) || load > lhi[key]) lhi[key] = load
}
END {
  for (k in n) {
    m = s[k] / n[k]; sd = sqrt((ss[k] - n[k] * m * m) / (n[k] > 1 ? n[k] - 1 : 1))
    printf "%-15s n=%d  %.0f +- %.0f per CPU-second  (min %d, max %d; load %.1f-%.1f)\n", k, n[k], m, sd, lo[k], hi[k], llo[k], lhi[k]
  }
}
