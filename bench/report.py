#!/usr/bin/env python3
"""Turns bench/run.sh's measurements into the markdown table and the JSON file.

Input: results.tsv, one line per run: scenario, tool, round, wall seconds,
user+sys CPU seconds, peak RSS (KiB, largest single process), bytes the leg
must move, requests the registry logged. Output: the table on stdout (medians
over the rounds; each peer's wall time as a ratio to mirrorkit's, so above 1
means mirrorkit is faster), and the same numbers, with every round, as JSON.
"""

import argparse
import json
import statistics
import sys

TOOLS = ["mirrorkit", "skopeo-sync", "copy-serial", "copy-par4", "raw"]
SCENARIOS = ["cold-plain", "cold-tls", "rerun-plain", "rerun-tls", "changed-plain", "changed-tls",
             "to-dir", "from-dir", "big"]
NOTES = [
    "mirrorkit: release-list's plan piped into blob-copy --jobs JOBS (the plan is made before the clock starts).",
    "skopeo-sync: skopeo sync --all --preserve-digests --src yaml, the YAML naming exactly the plan's images by digest; "
    "--src dir / --dest dir for the directory legs.",
    "copy-serial / copy-par4: skopeo copy --all --preserve-digests per image, one after another / under GNU parallel -j4 "
    "(directory legs: dir:DIR/NAME per image).",
    "raw: bench/raw.py, the lower bound: 6 Python threads, one keep-alive connection per registry each, every unique "
    "blob moved once (GET then monolithic POST+PUT; to-dir: GET and write; from-dir: read and PUT), then the manifests "
    "PUT; no planning, no existence checks, no digest checks. rerun: one manifest HEAD per image. changed: only the "
    "new image's blobs and manifest. Each raw leg starts a Python interpreter (~0.05 s).",
    "wall: median of the rounds, interleaved (each round runs every tool once, in an order rotated each round); "
    "CPU: user+sys of the tool and its children; RSS: peak of the largest single process; "
    "bytes: the unique blob bytes the leg must move; MB/s = bytes / wall (10^6); "
    "requests: lines in the destination registry's access log (the source's for to-dir).",
    "ratio: the tool's wall time / mirrorkit's wall time in the same run (above 1: mirrorkit is faster).",
]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--meta", action="append", default=[], help="KEY=VALUE for the JSON and the header")
    a = p.parse_args()
    meta = dict(m.split("=", 1) for m in a.meta)
    runs = {}
    with open(a.results) as f:
        for line in f:
            sc, tool, rnd, wall, cpu, rss, nbytes, reqs = line.rstrip("\n").split("\t")
            runs.setdefault((sc, tool), []).append({
                "round": int(rnd), "wall_s": float(wall), "cpu_s": float(cpu), "peak_rss_kib": int(rss),
                "bytes": int(nbytes), "requests": int(reqs)})
    if not runs:
        sys.exit("report.py: %s holds no measurement" % a.results)
    rows = []
    for sc in SCENARIOS:
        ours = runs.get((sc, "mirrorkit"))
        ours_wall = statistics.median(r["wall_s"] for r in ours) if ours else None
        for tool in TOOLS:
            rs = runs.get((sc, tool))
            if not rs:
                continue
            med = lambda k: statistics.median(r[k] for r in rs)
            wall = med("wall_s")
            row = {"scenario": sc, "tool": tool, "rounds": len(rs), "wall_s": wall, "cpu_s": med("cpu_s"),
                   "peak_rss_kib": max(r["peak_rss_kib"] for r in rs), "bytes": rs[0]["bytes"],
                   "requests": int(med("requests")),
                   "mb_per_s": rs[0]["bytes"] / wall / 1e6 if wall > 0 else None,
                   "ratio": wall / ours_wall if ours_wall else None, "runs": rs}
            rows.append(row)
    doc = {"meta": meta, "notes": NOTES, "rows": rows}
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    print("Release: %s images, %.1f MB of unique blobs (layers of %s bytes); big blob: %.2f GiB; %s rounds; "
          "blob-copy --jobs %s; %s CPUs; load at the end %s; %s; mirrorkit %s." % (
              meta.get("images"), int(meta.get("unique_bytes", 0)) / 1e6, meta.get("layer_size"),
              int(meta.get("big_bytes", 0)) / 2**30, meta.get("rounds"), meta.get("jobs"), meta.get("cpus"),
              meta.get("load"), meta.get("date"), meta.get("commit")))
    print()
    print("| scenario | tool | wall s | ratio | MB/s | CPU s | peak RSS MiB | bytes | requests |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %s | %.2f | %s | %s | %.2f | %.1f | %d | %d |" % (
            r["scenario"], r["tool"], r["wall_s"],
            "%.2f×" % r["ratio"] if r["ratio"] is not None else "–",
            "%.1f" % r["mb_per_s"] if r["mb_per_s"] else "–",
            r["cpu_s"], r["peak_rss_kib"] / 1024, r["bytes"], r["requests"]))
    print()
    for n in NOTES:
        print("- " + n)


if __name__ == "__main__":
    main()
