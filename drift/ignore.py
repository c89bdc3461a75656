"""The ignore file: accepted drift, each entry with a reason and an expiry date.

TOML, one ``[[ignore]]`` table per accepted drift:

```toml
[[ignore]]
address = 'module.catalog.module.glue.aws_glue_crawler.this["tweets_v1"]'  # exact address, or a glob (fnmatch)
kind = "changed"                 # optional: deleted | changed | unmanaged | conflict | unknown
attribute = "schedule"           # optional: only changes under this attribute path
reason = "schedule paused during the Q3 backfill (TICKET-123)"
expires = 2026-12-31             # required; after this date the drift is reported again
```

An entry without a reason or an expiry is an error. An expired entry no longer hides anything and is listed in
the report so it gets renewed or removed. Parsing and matching are pure.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

from drift.model import Finding, Kind
from lake.errors import LakeError

KINDS = {k.value for k in Kind}
KEYS = {"address", "kind", "attribute", "reason", "expires"}


class IgnoreFileError(LakeError):
    """The ignore file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class Rule:
    address: str
    reason: str
    expires: dt.date
    kind: str | None = None
    attribute: str | None = None

    def matches(self, finding: Finding) -> bool:
        if not (finding.address == self.address or fnmatch.fnmatchcase(finding.address, self.address)):
            return False
        if self.kind and finding.kind.value != self.kind:
            return False
        if self.attribute:
            if not finding.changes:
                return False
            return all(_under(c.path, self.attribute) for c in finding.changes)
        return True


def _under(path: str, attribute: str) -> bool:
    return path == attribute or path.startswith((attribute + ".", attribute + "["))


def parse_rules(text: str, source: str) -> list[Rule]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IgnoreFileError(f"{source}: not valid TOML ({exc})") from None
    unknown_top = set(doc) - {"ignore"}
    if unknown_top:
        raise IgnoreFileError(f"{source}: unknown key(s) {sorted(unknown_top)}; entries go in [[ignore]] tables")
    rules = []
    for number, entry in enumerate(doc.get("ignore", []), start=1):
        where = f"{source}: [[ignore]] #{number}"
        extra = set(entry) - KEYS
        if extra:
            raise IgnoreFileError(f"{where}: unknown key(s) {sorted(extra)} (allowed: {sorted(KEYS)})")
        for key in ("address", "reason", "expires"):
            if not entry.get(key):
                raise IgnoreFileError(f"{where}: '{key}' is required (an accepted drift needs a reason and an expiry)")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise IgnoreFileError(f"{where}: expires={expires!r} is not a date (YYYY-MM-DD)") from None
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            raise IgnoreFileError(f"{where}: expires must be a date (YYYY-MM-DD)")
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            raise IgnoreFileError(f"{where}: kind={kind!r} is not one of {sorted(KINDS)}")
        rules.append(Rule(str(entry["address"]), str(entry["reason"]), expires, kind, entry.get("attribute")))
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    path = Path(path)
    if not path.is_file():
        raise IgnoreFileError(f"{path}: no such ignore file")
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


def apply_rules(findings: list[Finding], rules: list[Rule], today: dt.date) -> list[Rule]:
    """Mark accepted findings (``finding.ignored = reason``); return the expired rules."""
    active = [r for r in rules if r.expires >= today]
    for finding in findings:
        for rule in active:
            if rule.matches(finding):
                finding.ignored = f"{rule.reason} (until {rule.expires.isoformat()})"
                break
    return [r for r in rules if r.expires < today]
