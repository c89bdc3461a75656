"""Glue cron schedules as `lake up` evaluates them (pure)."""

from datetime import UTC, datetime

import pytest

from lake.schedule import ScheduleError, due, due_crawlers


def test_the_lake_default_daily_schedule_fires_at_three_only():
    assert due("cron(0 3 * * ? *)", datetime(2024, 5, 1, 3, 0, tzinfo=UTC))
    assert not due("cron(0 3 * * ? *)", datetime(2024, 5, 1, 3, 1, tzinfo=UTC))
    assert not due("cron(0 3 * * ? *)", datetime(2024, 5, 1, 4, 0, tzinfo=UTC))


def test_steps_ranges_lists_and_weekday_names():
    every_15 = "cron(*/15 * * * ? *)"
    assert [m for m in range(60) if due(every_15, datetime(2024, 5, 1, 0, m, tzinfo=UTC))] == [0, 15, 30, 45]
    weekdays = "cron(0 12 ? * MON-FRI *)"
    assert due(weekdays, datetime(2024, 5, 3, 12, 0, tzinfo=UTC))  # a Friday
    assert not due(weekdays, datetime(2024, 5, 4, 12, 0, tzinfo=UTC))  # a Saturday
    assert due("cron(0 0 1,15 * ? 2024)", datetime(2024, 5, 15, 0, 0, tzinfo=UTC))
    assert not due("cron(0 0 1,15 * ? 2024)", datetime(2025, 5, 15, 0, 0, tzinfo=UTC))


def test_unsupported_or_malformed_schedules_are_named():
    with pytest.raises(ScheduleError, match="not emulated"):
        due("cron(0 0 L * ? *)", datetime(2024, 5, 1, tzinfo=UTC))
    with pytest.raises(ScheduleError, match="is not cron"):
        due("rate(5 minutes)", datetime(2024, 5, 1, tzinfo=UTC))
    names, problems = due_crawlers(
        [
            {"Name": "a", "Schedule": {"ScheduleExpression": "cron(0 3 * * ? *)"}},
            {"Name": "b", "Schedule": {"ScheduleExpression": "cron(0 0 L * ? *)"}},
            {"Name": "c"},
        ],
        datetime(2024, 5, 1, 3, 0, tzinfo=UTC),
    )
    assert names == {"a"} and len(problems) == 1 and problems[0].startswith("b: ")
