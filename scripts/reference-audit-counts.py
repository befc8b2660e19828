#!/usr/bin/env python3
"""Counts and gate verdicts of the reference audit (stratum-cli pipeline/audit.py) on a file, as JSON.

Not part of the pipeline and never run by its tests: it records what the reference computes,
for the fixtures of test/audit/reference-parity.test.ts and for docs/compatibility-audit.md.
It imports the reference's own audit.py from a checkout of its pipeline/ folder (nothing of
it is copied here), and re-reads the same per-section numbers its report prints.

    git --git-dir=<mirror> archive HEAD pipeline | tar -x -C /tmp/ref
    python3 scripts/reference-audit-counts.py --pipeline /tmp/ref/pipeline --input FILE
"""

import argparse
import json
import sys
from collections import Counter, defaultdict
from statistics import median


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pipeline", required=True, help="the reference's pipeline/ folder")
    ap.add_argument("--input", required=True)
    args = ap.parse_args()
    sys.path.insert(0, args.pipeline)
    import audit  # the reference's module

    pings = audit.load_pings(args.input)
    gates = audit.evaluate_gates(pings)
    eff = [p for p in pings if p.get("scan_status") in ("success", "partial")]

    status = Counter(p.get("scan_status", "unknown") for p in pings)
    frameworks = Counter(fw for p in eff for fw in p.get("frameworks", []))
    deployment = Counter()
    for p in eff:
        ds = p.get("deployment_signals")
        if isinstance(ds, dict) and isinstance(ds.get("deployment_score"), int):
            deployment[ds["deployment_score"]] += 1
    buckets = Counter()
    for p in eff:
        s = p.get("risk_score")
        if isinstance(s, (int, float)):
            buckets[min(int(s) // 10 * 10, 90)] += 1
    rules = Counter(r for p in eff for r in p.get("finding_instance_counts", {}))
    impacts = defaultdict(list)
    for p in eff:
        for r, v in p.get("fix_impact_estimates", {}).items():
            if isinstance(v, (int, float)):
                impacts[r].append(v)
    topo = Counter(p["topology_signature_hash"] for p in pings if p.get("topology_signature_hash"))
    ratios = [p.get("files_scanned", 0) / p["files_total"] for p in eff if p.get("files_total", 0) > 0]
    strata = Counter(p["selection_stratum"] for p in pings if p.get("selection_stratum"))

    print(json.dumps({
        "rows": len(pings),
        "gates": {gid: passed for gid, _, passed, _ in gates},
        "evidence": {gid: ev for gid, _, _, ev in gates},
        "status": dict(status),
        "frameworks": dict(frameworks),
        "deployment_histogram": {str(k): v for k, v in sorted(deployment.items())},
        "risk_buckets": {str(k): v for k, v in sorted(buckets.items())},
        "rule_repos": dict(rules),
        "median_impact": {r: median(v) for r, v in impacts.items()},
        "distinct_hashes": len(topo),
        "clusters_of_10_plus": sum(1 for c in topo.values() if c >= 10),
        "rows_in_clusters_of_10_plus": sum(c for c in topo.values() if c >= 10),
        "coverage_quartiles": list(audit.quartiles(ratios)) if ratios else None,
        "coverage_n": len(ratios),
        "strata": dict(strata),
    }, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
