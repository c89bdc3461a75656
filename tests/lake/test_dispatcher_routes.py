"""Routing an S3 object to functions exactly as S3 notification filters do, and the event S3 sends."""

from urllib.parse import unquote_plus

import pytest

from lake.dispatcher import DispatchError, Route, resolve_handler, routes_from_notification, s3_event

NOTIFICATION = {
    "LambdaFunctionConfigurations": [
        {
            "Id": "users-json",
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:lake-local-etl-users",
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {
                "Key": {
                    "FilterRules": [
                        {"Name": "Prefix", "Value": "incoming/users/"},
                        {"Name": "Suffix", "Value": ".json"},
                    ]
                }
            },
        },
        {
            "Id": "tweets-put-only",
            "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:lake-local-etl-tweets",
            "Events": ["s3:ObjectCreated:Put"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/tweets/"}]}},
        },
    ]
}


def test_routes_read_prefix_suffix_and_function_name():
    users, tweets = routes_from_notification(NOTIFICATION)
    assert (users.function_name, users.prefix, users.suffix) == ("lake-local-etl-users", "incoming/users/", ".json")
    assert (tweets.function_name, tweets.prefix, tweets.suffix) == ("lake-local-etl-tweets", "incoming/tweets/", "")


@pytest.mark.parametrize(
    ("key", "event", "expected"),
    [
        ("incoming/users/2024/01/02/a.json", "ObjectCreated:Put", ["lake-local-etl-users"]),
        ("incoming/users/2024/01/02/a.json", "ObjectCreated:CompleteMultipartUpload", ["lake-local-etl-users"]),
        ("incoming/users/2024/01/02/a.json.gz", "ObjectCreated:Put", []),  # suffix .json only
        ("incoming/user/2024/a.json", "ObjectCreated:Put", []),  # wrong prefix
        ("incoming/tweets/x.json", "ObjectCreated:Copy", []),  # Put only
        ("incoming/tweets/x.json", "ObjectCreated:Put", ["lake-local-etl-tweets"]),
    ],
)
def test_filters_decide_delivery(key, event, expected):
    routes = routes_from_notification(NOTIFICATION)
    assert [r.function_name for r in routes if r.matches(key, event)] == expected


def test_event_key_is_url_encoded_like_s3():
    key = "incoming/users/2024/01/02/mon fichier+été.json"
    event = s3_event("raw", key, "v1", 10, '"abc"', "us-east-1")
    record = event["Records"][0]
    assert record["s3"]["object"]["key"] == "incoming/users/2024/01/02/mon+fichier%2B%C3%A9t%C3%A9.json"
    assert unquote_plus(record["s3"]["object"]["key"]) == key
    assert record["s3"]["object"]["versionId"] == "v1"
    assert record["s3"]["object"]["eTag"] == "abc"


def test_unversioned_object_has_no_version_id():
    assert "versionId" not in s3_event("raw", "k", "null", 1, "e", "us-east-1")["Records"][0]["s3"]["object"]


def test_handler_setting_must_resolve():
    assert resolve_handler("json.dumps") is __import__("json").dumps
    with pytest.raises(DispatchError, match="HandlerNotFound"):
        resolve_handler("json.nope")
    with pytest.raises(DispatchError, match="ImportModuleError"):
        resolve_handler("no_such_module_x.handler")
    with pytest.raises(DispatchError, match=r"not module\.function"):
        resolve_handler("handler")


def test_route_defaults_match_everything_created():
    assert Route("arn:aws:lambda:r:1:function:f", ("s3:ObjectCreated:*",)).matches("any/key")
