#!/usr/bin/env python3
"""Min / median over rounds of the cold rows of run.sh's outputs, per side: summary.py OUT_DIR."""
import glob, os, re, statistics, sys

out = sys.argv[1] if len(sys.argv) > 1 else "."

def us(text):
    text = text.strip().replace(",", "")
    m = re.match(r"([\d.]+)\s*(ms|µs)?", text)
    if not m: return None
    v = float(m.group(1))
    return v * 1000 if m.group(2) == "ms" else v

def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]

rows = {}  # (probe, side) -> list of dicts per round
for path in sorted(glob.glob(os.path.join(out, "*-*-[0-9]*.md"))):
    name = os.path.basename(path)[:-3]
    probe, rest = name.split("-", 1)
    side, rnd = rest.rsplit("-", 1)
    vals = {}
    for line in open(path, encoding="utf-8"):
        c = cells(line)
        if probe == "profile":
            if c[0] == "VerifySnapshotAsync (cold)": vals["verify p50"], vals["verify p99"], vals["verify CPU"] = us(c[1]), us(c[3]), us(c[4])
            if c[0] == "rollback, cold verification (whole operation)": vals["rollback p50"], vals["rollback p99"], vals["rollback CPU"] = us(c[1]), us(c[3]), us(c[4])
            if c[0].startswith("leaf level split"): vals["helper chunks"] = float(c[1])
        else:
            if c[0] == "rollback (revert, RocksDB, cold verification)": vals[f"{c[1]} p50"], vals[f"{c[1]} p99"] = us(c[2]), us(c[4])
            if c[0].startswith("rollback CPU time per operation (cold"): vals[f"{c[1]} CPU"] = us(c[2])
    rows.setdefault((probe, side), []).append(vals)

for probe in ("profile", "latency"):
    keys = []
    for (p, _), rs in rows.items():
        if p == probe:
            for r in rs:
                keys += [k for k in r if k not in keys]
    print(f"## {probe} (µs; min / median over rounds)")
    print("| side | rounds | " + " | ".join(keys) + " |")
    print("|---|---:|" + "---:|" * len(keys))
    for (p, side), rs in sorted(rows.items()):
        if p != probe: continue
        def f(k):
            v = [r[k] for r in rs if r.get(k) is not None]
            return f"{min(v):,.0f} / {statistics.median(v):,.0f}" if v and k != "helper chunks" else (f"{min(v):.1f} / {statistics.median(v):.1f}" if v else "")
        print(f"| {side} | {len(rs)} | " + " | ".join(f(k) for k in keys) + " |")
    print()
