"""Sample uploads for the demo and tests: generated users, real (or generated) tweets, and broken files.

The real tweets come from ``shared/data/twitter.json`` when a checkout has it (``LAKE_SAMPLE_TWEETS`` points
elsewhere); a user's clone has no ``shared/``, so the same shape is generated instead. Everything is
deterministic: the same seed gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lake.workspace import resolve

_NAMES = ["Ada Lovelace", "Åsa Öberg", "José Ñúñez", "李小龙", "Zoë Brontë", "Ngozi Okonjo", "Łukasz Żak", "Émile Zola"]
_CITIES = ["Zürich", "São Paulo", "Kraków", "東京", "Reykjavík", "Lagos"]


@dataclass(frozen=True)
class Upload:
    """One object to put into the raw bucket, and what the ETL should make of it."""

    key: str
    body: bytes
    records: int  # records the file holds (0 for an unreadable file)
    bad_records: int  # records that must be quarantined
    unreadable: bool = False


def user_record(i: int, rng: random.Random, base: datetime) -> dict:
    when = base + timedelta(hours=rng.randrange(0, 72), seconds=rng.randrange(0, 3600))
    return {
        "user": {
            "id": 1000 + i,
            "email": f"user{i}@example.org",
            "name": rng.choice(_NAMES),
            "age": rng.choice([None, rng.randrange(18, 90)]),
            "score": round(rng.uniform(0, 100), 3),
            "active": rng.random() > 0.2,
            "address": {
                "street": f"{rng.randrange(1, 200)} Main St",
                "city": rng.choice(_CITIES),
                "zip": f"{rng.randrange(10000, 99999)}",
                "country": rng.choice(["CH", "BR", "PL", "JP"]),
            },
            "signup_date": (when - timedelta(days=rng.randrange(1, 900))).date().isoformat(),
        },
        "account": {"balance": f"{rng.randrange(0, 10**7) / 100:.2f}"},
        "tags": rng.sample(["beta", "pro", "trial", "vip", "émigré"], k=rng.randrange(0, 3)),
        "updated_at": when.strftime("%Y-%m-%dT%H:%M:%S+0000"),
    }


def users_ndjson(count: int, seed: int = 7, bad_every: int = 0) -> tuple[bytes, int]:
    """NDJSON of ``count`` users; every ``bad_every``-th record breaks the contract. Returns (bytes, bad count)."""
    rng = random.Random(seed)
    base = datetime(2024, 5, 1, tzinfo=UTC)
    lines, bad = [], 0
    for i in range(count):
        rec = user_record(i, rng, base)
        if bad_every and i % bad_every == bad_every - 1:
            rec["user"]["id"] = f"not-a-number-{i}"  # int64 expected
            bad += 1
        lines.append(json.dumps(rec, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8"), bad


def shared_tweets(root: Path) -> Path:
    """The real search dump of a checkout at ``root`` that sits beside ``shared/``."""
    return root.parent / "shared" / "data" / "twitter.json"


def tweets_document(path: Path | None = None, count: int = 100, seed: int = 11) -> tuple[bytes, int]:
    """The real search dump when available, otherwise a generated one with the same shape."""
    source = Path(os.environ.get("LAKE_SAMPLE_TWEETS") or path or shared_tweets(resolve().root))
    if source.is_file():
        body = source.read_bytes()
        return body, len(json.loads(body)["statuses"])
    rng = random.Random(seed)
    base = datetime(2014, 8, 31, tzinfo=UTC)
    statuses = []
    for i in range(count):
        at = base + timedelta(minutes=rng.randrange(0, 3000))
        tag = rng.choice(["data", "lake", "παράδειγμα", "データ"])
        statuses.append(
            {
                "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "id": 505874924095815681 + i,
                "id_str": str(505874924095815681 + i),
                "text": f"#{tag} sample tweet {i} ✨",
                "lang": rng.choice(["en", "ja", "es"]),
                "source": '<a href="https://example.org">demo</a>',
                "truncated": False,
                "retweet_count": rng.randrange(0, 50),
                "favorite_count": rng.randrange(0, 50),
                "in_reply_to_status_id": None,
                "in_reply_to_screen_name": None,
                "user": {
                    "id": 100 + i % 17,
                    "screen_name": f"user_{i % 17}",
                    "name": rng.choice(_NAMES),
                    "followers_count": rng.randrange(0, 5000),
                    "verified": False,
                    "created_at": "Sun Aug 31 00:29:15 +0000 2014",
                },
                "metadata": {"iso_language_code": "en", "result_type": "recent"},
                "entities": {
                    "hashtags": [{"text": tag, "indices": [0, len(tag) + 1]}],
                    "symbols": [],
                    "urls": [],
                    "user_mentions": [],
                },
            }
        )
    return json.dumps({"statuses": statuses, "search_metadata": {"count": count}}, ensure_ascii=False).encode(), count


def demo_uploads(users: int = 500) -> list[Upload]:
    """What ``lake demo`` uploads: clean users (gzip), users with bad records, the tweets, one broken file."""
    clean, _ = users_ndjson(users, seed=7)
    mixed, bad = users_ndjson(50, seed=8, bad_every=10)
    tweets, n_tweets = tweets_document()
    return [
        Upload("incoming/users/2024/05/01/signups batch+1.json.gz", gzip.compress(clean, mtime=0), users, 0),
        Upload("incoming/users/2024/05/02/late-signups.json", mixed, 50, bad),
        Upload("incoming/tweets/2014/08/31/search-dump.json", tweets, n_tweets, 0),
        Upload(
            "incoming/users/2024/05/02/truncated.json",
            b'{"user": {"id": 1, "email": "x@example.org"',
            0,
            0,
            unreadable=True,
        ),
    ]
