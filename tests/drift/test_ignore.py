import datetime as dt

import pytest

from drift.ignore import IgnoreFileError, apply_rules, parse_rules
from drift.model import Change, Finding, Kind

TODAY = dt.date(2026, 11, 23)


def _finding(address="aws_glue_crawler.this", kind=Kind.CHANGED, paths=("schedule",)):
    return Finding(
        kind=kind,
        address=address,
        type="aws_glue_crawler",
        message="m",
        remedy="r",
        changes=[Change(p, 1, 2) for p in paths],
    )


def test_accepted_drift_is_marked_with_its_reason_and_expired_entries_are_returned():
    rules = parse_rules(
        """
[[ignore]]
address = "aws_glue_crawler.*"
kind = "changed"
attribute = "schedule"
reason = "paused during the backfill"
expires = 2026-12-31

[[ignore]]
address = "aws_s3_bucket.old"
reason = "old exception"
expires = 2026-01-01
""",
        "drift-ignore.toml",
    )
    matched, other_attr, old = _finding(), _finding(paths=("role",)), _finding("aws_s3_bucket.old", Kind.DELETED, ())
    expired = apply_rules([matched, other_attr, old], rules, TODAY)
    assert matched.ignored.startswith("paused during the backfill")
    assert other_attr.ignored is None  # only the named attribute is accepted
    assert old.ignored is None and [r.address for r in expired] == ["aws_s3_bucket.old"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[ignore]]\naddress = "a"\nexpires = 2026-01-01\n', "'reason' is required"),
        ('[[ignore]]\naddress = "a"\nreason = "r"\n', "'expires' is required"),
        ('[[ignore]]\naddress = "a"\nreason = "r"\nexpires = "soon"\n', "not a date"),
        ('[[ignore]]\naddress = "a"\nreason = "r"\nexpires = 2026-01-01\nkind = "moved"\n', "kind='moved'"),
        ('[[ignore]]\naddress = "a"\nreason = "r"\nexpires = 2026-01-01\nwhy = 1\n', "unknown key"),
        ("[[ignore]\n", "not valid TOML"),
    ],
)
def test_malformed_entries_are_named(text, message):
    with pytest.raises(IgnoreFileError, match=message) as err:
        parse_rules(text, "drift-ignore.toml")
    assert str(err.value).startswith("drift-ignore.toml")
