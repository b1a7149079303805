"""Regenerate src/cwfilter/rules/catalogue.json from the specification's CIS facts.

    python scripts/generate_rules.py [../shared/spec/cis-metric-filters.json]

Only facts are taken (patterns, names, control IDs, the default alarm); tests check that
the committed catalogue matches the specification.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT.parent / "shared" / "spec" / "cis-metric-filters.json"
OUT = ROOT / "src" / "cwfilter" / "rules" / "catalogue.json"


def build(spec: list[dict]) -> dict:
    rules = []
    for r in spec:
        ids = r["control_ids"]
        aliases = [r["id"]]
        for key in ("trend_conformity", "aws_security_hub", "prowler", "trivy"):
            if ids.get(key):
                aliases.append(ids[key])
        for key, value in ids.items():
            m = re.fullmatch(r"cis_v(\d+\.\d+\.\d+)", key)
            for control in [value] if isinstance(value, str) else value or []:
                if m:
                    aliases.append(f"CIS-{m.group(1)}-{control}")
        alarm = r["alarm"]
        rule = {
            "id": r["id"],
            "title": r["title"],
            "aliases": aliases,
            "filter_pattern": r["filter_pattern"],
            "metric_name": r["metric_name"],
            "namespace": r["namespace"],
            "alarm": {
                "statistic": alarm["statistic"],
                "period": alarm["period_seconds"],
                "evaluation_periods": alarm["evaluation_periods"],
                "threshold": alarm["threshold"],
                "comparison_operator": alarm["comparison_operator"],
            },
        }
        # Conformity's remediation names its own metric (e.g. CloudTrailMetrics/S3BucketEventCount).
        for alt in r.get("namespace_alternatives", []):
            m = re.search(r"Conformity remediation example uses metric name (\S+) in (\S+)", alt)
            if m and ids.get("trend_conformity"):
                rule["conformity_metric"] = {"metric_name": m.group(1), "namespace": m.group(2)}
        rules.append(rule)
    return {"source": "shared/spec/cis-metric-filters.json", "rules": rules}


def main() -> None:
    spec_path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPEC
    catalogue = build(json.loads(spec_path.read_text(encoding="utf-8")))
    OUT.write_text(json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(catalogue['rules'])} rules to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
