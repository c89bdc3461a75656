"""Suppressions: accepted findings with a reason and an expiry date (``.lake-policy-suppressions.json``).

```json
{"suppressions": [{"id": "LOGS-RETAINED", "resource": "module.lake...", "reason": "...", "expires": "2026-12-31"}]}
```

``resource`` matches a finding's address exactly or as an fnmatch pattern. An expired suppression is itself a
finding (``SUPPRESSION-EXPIRED``), so an acceptance cannot outlive its review date silently.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from dataclasses import dataclass, replace
from pathlib import Path

from policies.errors import PolicyInputError
from policies.findings import Finding

DEFAULT_FILE = ".lake-policy-suppressions.json"


@dataclass(frozen=True)
class Suppression:
    id: str
    resource: str
    reason: str
    expires: dt.date

    def matches(self, f: Finding) -> bool:
        return self.id == f.check_id and (self.resource == f.address or fnmatch.fnmatchcase(f.address, self.resource))


def parse_suppressions(doc: object, where: str) -> list[Suppression]:
    if not isinstance(doc, dict) or not isinstance(doc.get("suppressions"), list):
        raise PolicyInputError(f"{where}: expected an object with a 'suppressions' list")
    out = []
    for i, item in enumerate(doc["suppressions"]):
        if not isinstance(item, dict):
            raise PolicyInputError(f"{where}: suppressions[{i}] must be an object")
        missing = [k for k in ("id", "resource", "reason", "expires") if not item.get(k)]
        if missing:
            raise PolicyInputError(
                f"{where}: suppressions[{i}] lacks {missing} (id, resource, reason and expires are required)"
            )
        try:
            expires = dt.date.fromisoformat(str(item["expires"]))
        except ValueError:
            raise PolicyInputError(
                f"{where}: suppressions[{i}].expires {item['expires']!r} is not YYYY-MM-DD"
            ) from None
        out.append(Suppression(item["id"], item["resource"], item["reason"], expires))
    return out


def load_suppressions(path: Path) -> list[Suppression]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except json.JSONDecodeError as exc:
        raise PolicyInputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    return parse_suppressions(doc, str(path))


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression], today: dt.date) -> list[Finding]:
    """Mark suppressed findings; add a SUPPRESSION-EXPIRED finding for every expired entry."""
    out = []
    for f in findings:
        match = next((s for s in suppressions if s.matches(f)), None)
        if match is not None and match.expires >= today:
            out.append(replace(f, suppressed_by=f"{match.reason} (until {match.expires})"))
        else:
            out.append(f)
    for s in suppressions:
        if s.expires < today:
            out.append(
                Finding(
                    "SUPPRESSION-EXPIRED",
                    "high",
                    s.resource,
                    f"suppression of {s.id} expired on {s.expires} (reason was: {s.reason})",
                    "Fix the finding, or renew the suppression with a new review date.",
                    origin="suppressions",
                )
            )
    return out
