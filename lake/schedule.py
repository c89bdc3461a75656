"""When a Glue crawler's ``cron(...)`` schedule fires (pure: ``lake up`` runs the local crawlers with it).

AWS schedule expressions have six fields: minutes, hours, day-of-month, month, day-of-week, year. Each field is
``*``, ``?``, a value, a range ``a-b``, a list ``a,b`` or a step ``a/n`` / ``*/n``; day-of-week is 1-7 (SUN=1) or
SUN-SAT, month 1-12 or JAN-DEC. ``L``, ``W`` and ``#`` are not emulated: such a schedule is reported, not guessed.
"""

from __future__ import annotations

import re
from datetime import datetime

from lake.errors import LakeError

_NAMES = {
    **{
        m: i
        for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)
    },
    **{d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)},
}
_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))


class ScheduleError(LakeError):
    """A schedule expression this machine cannot evaluate."""


def _value(text: str) -> int:
    return _NAMES[text.upper()] if text.upper() in _NAMES else int(text)


def _field_values(text: str, low: int, high: int, expression: str) -> set[int]:
    if re.search(r"[LW#]", text):
        raise ScheduleError(f"schedule {expression}: {text!r} (L, W, #) is not emulated locally")
    out: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = _value(a), _value(b)
        else:
            start = _value(base)
            end = high if step else start
        out.update(range(start, end + 1, int(step) if step else 1))
    return out


def parse(expression: str) -> list[set[int]]:
    m = re.fullmatch(r"cron\((.+)\)", expression.strip())
    fields = m.group(1).split() if m else []
    if len(fields) != 6:
        raise ScheduleError(f"schedule {expression!r} is not cron(<min> <hour> <day> <month> <weekday> <year>)")
    try:
        return [_field_values(f, lo, hi, expression) for f, (lo, hi) in zip(fields, _BOUNDS, strict=True)]
    except (ValueError, KeyError):
        raise ScheduleError(f"schedule {expression!r} has a field that is not a value, range, list or step") from None


def due(expression: str, when: datetime) -> bool:
    """Whether the schedule fires in the minute of ``when`` (UTC, as Glue schedules are)."""
    minute, hour, dom, month, dow, year = parse(expression)
    weekday = when.isoweekday() % 7 + 1  # SUN=1 ... SAT=7
    return (
        when.minute in minute
        and when.hour in hour
        and when.month in month
        and when.year in year
        and (when.day in dom and weekday in dow)
    )


def due_crawlers(crawlers: list[dict], when: datetime) -> tuple[set[str], list[str]]:
    """Names of the crawlers (``get_crawlers`` items) whose schedule fires in ``when``'s minute, and the problems
    (schedules that cannot be evaluated here); a crawler without a schedule runs on demand only."""
    names, problems = set(), []
    for c in crawlers:
        expression = (c.get("Schedule") or {}).get("ScheduleExpression")
        if not expression:
            continue
        try:
            if due(expression, when):
                names.add(c["Name"])
        except ScheduleError as exc:
            problems.append(f"{c['Name']}: {exc}")
    return names, problems
