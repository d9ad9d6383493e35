"""Write the Munich subset the CI quality gate indexes: eval/sets/munich_ci/.

The CI gate runs on a fresh clone that may not have ``../shared/data``, and indexing all
287 services there takes minutes. This script copies, from the real Munich DLDB export
(City of Munich, CC BY 4.0; see eval/sets/munich_ci/README.md):

* every service the conflict set (``eval/sets/munich_conflicts.jsonl``) asks about;
* the services that look most like them (shared name and keyword words), so that service
  identity is still tested against real confusers (passport vs ID card, business
  registration vs deregistration), up to ``TOTAL`` services;
* the offices those services name.

The choice of confusers uses only the service names and keywords, never the questions'
answers. Run from the root of the clone: ``python eval/sets/make_munich_ci_subset.py``.
The output is deterministic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

EXPORT = Path("../shared/data/munich-dldb")
CASES = Path("eval/sets/munich_conflicts.jsonl")
OUT = Path("eval/sets/munich_ci")
TOTAL = 90
WORD = re.compile(r"[a-zäöüß]{5,}")


def _words(service: dict) -> set[str]:
    keywords = str((service.get("meta") or {}).get("keywords") or "")
    return {w[:6] for w in WORD.findall(f"{service.get('name', '')} {keywords}".lower())}


def main() -> None:
    services = json.loads((EXPORT / "services_de.json").read_text(encoding="utf-8"))
    locations = json.loads((EXPORT / "locations_de.json").read_text(encoding="utf-8"))
    wanted: set[str] = set()
    for line in CASES.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        wanted.update(d.removeprefix("dldb-") for d in case.get("expected_docs", []))
    by_id = {str(s["id"]): s for s in services["data"]}
    missing = sorted(wanted - by_id.keys())
    if missing:
        raise SystemExit(f"services asked about but not in the export: {missing}")
    target_words = set().union(*(_words(by_id[i]) for i in wanted))
    ranked = sorted(
        (i for i in by_id if i not in wanted),
        key=lambda i: (-len(_words(by_id[i]) & target_words), i),
    )
    chosen = sorted(wanted) + ranked[: max(0, TOTAL - len(wanted))]
    kept = [by_id[i] for i in sorted(chosen)]
    offices = {str(ref.get("location")) for s in kept for ref in s.get("locations") or []}
    kept_locations = [loc for loc in locations["data"] if str(loc.get("id")) in offices]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, payload, rows in (
        ("services_de.json", services, kept),
        ("locations_de.json", locations, kept_locations),
    ):
        meta = dict(payload.get("meta") or {}, datacount=len(rows), subset_of="munich-dldb export (CC BY 4.0)")
        (OUT / name).write_text(
            json.dumps({"data": rows, "meta": meta}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    print(f"{OUT}: {len(kept)} services ({len(wanted)} asked about), {len(kept_locations)} offices")


if __name__ == "__main__":
    main()
