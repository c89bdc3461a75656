"""A local AWS endpoint: moto in server mode on a free loopback port.

Terraform's AWS provider and boto3 both talk to it through endpoint overrides. It runs as a child process
(``python -m moto.server``) so the handler, Terraform and the tests see the same HTTP API AWS serves, and it is
stopped with the process group when the context exits. An existing endpoint can be used instead
(``LocalAWS.attach(url)``), e.g. one started by ``lake up``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from lake.errors import LakeError

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account
PORT_ATTEMPTS = 5  # free ports tried when the one looked up is taken before moto binds it
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

# moto evaluates bucket policies on object requests without any request context, so a Deny with a condition
# (the TLS-only aws:SecureTransport deny every lake bucket carries) denies every GetObject/PutObject/HeadObject.
# moto does not enforce IAM policies by default either; the server runs with bucket policies unenforced, the same.
MOTO_SERVER_CODE = (
    "import sys\n"
    "from moto.iam.access_control import PermissionResult\n"
    "from moto.s3.models import FakeBucket\n"
    "FakeBucket.get_permission = lambda self, action, resource: PermissionResult.NEUTRAL\n"
    "from moto.server import main\n"
    "main(sys.argv[1:])\n"
)


class LocalAWSError(LakeError):
    """The local endpoint could not be started or reached."""


_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
_REQUEST = re.compile(r'\[([^\]]*)\] "([A-Z]+ \S+) HTTP/[0-9.]+" (\d{3}) ')


def server_errors(log: str, limit: int = 20) -> list[str]:
    """What went wrong on the server, from a moto server's request log, the last ``limit`` of them, in order:

    - each request it answered with a 5xx (``POST /2015-03-31/functions -> 500``);
    - the last line of each Python traceback it printed (the exception);
    - each conflict (409) with the server's previous answer to the same request and when: a create that the
      server answered but whose client retried (its connection failed, say) shows as ``-> 201`` just before the
      ``409``. Every create of a kind shares one path, so that 201 may be another resource's: the times tell.
    """
    found: list[str] = []
    previous: dict[str, tuple[str, str]] = {}  # request -> (status, when) of the server's last answer to it
    in_traceback = False
    for line in _COLOUR.sub("", log).splitlines():
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            found.append(f"server traceback: {line.strip()}")
            in_traceback = False
        elif (m := _REQUEST.search(line + " ")) is not None:
            when, request, status = m.group(1).rsplit(" ", 1)[-1], m.group(2), m.group(3)
            if status >= "500":
                found.append(f"{request} -> {status}")
            elif status == "409":
                before = previous.get(request)
                told = f" (before it at {before[1]}: -> {before[0]})" if before else " (no answer to it before)"
                found.append(f"{request} -> 409 at {when}{told}")
            previous[request] = (status, when)
    return found[-limit:]


def free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def serving(log_path: str, endpoint: str) -> bool:
    """The server writing ``log_path`` says it runs on ``endpoint`` (werkzeug logs it once the port is bound)."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as fh:
            text = _COLOUR.sub("", fh.read())
    except FileNotFoundError:
        return False
    return re.search(rf"Running on {re.escape(endpoint)}(?!\d)", text) is not None


def port_taken(log: str) -> bool:
    """A server's log says it exited because its port was taken."""
    return "Address already in use" in log or "is in use by another program" in log


def is_listening(url: str, timeout: float = 0.5) -> bool:
    """A moto server answers at ``url`` (a cheap request: ``/moto-api/data.json`` grows with every resource)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/", method="HEAD"), timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def patched_environ(values: dict[str, str]) -> Iterator[None]:
    """``os.environ`` updated with ``values`` for the block (serialised: the environment is process-wide)."""
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def aws_environment(endpoint: str, region: str = LOCAL_REGION) -> dict[str, str]:
    """Environment variables that point boto3 (and the AWS CLI) at ``endpoint``."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        **LOCAL_CREDENTIALS,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass
class LocalAWS:
    """A moto server (started here or attached to) and helpers to reach it."""

    endpoint: str
    region: str = LOCAL_REGION
    _proc: subprocess.Popen | None = field(default=None, repr=False)
    log_path: str | None = None  # the server's request log (a file: an undrained pipe would block moto when full)

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def start(cls, host: str = "127.0.0.1", port: int | None = None, timeout: float = 30.0) -> LocalAWS:
        """A moto server of our own on ``port`` (a free one when not given).

        A free port is only free when it is looked up: another process (a parallel test worker starting its own
        server) can take it before moto binds it. The server is ours only once *its* log says it is running on the
        endpoint; answering requests is not enough (the other server answers too). A chosen port that was taken is
        replaced by another; a given one is an error."""
        if not host.startswith("127.") and host not in ("localhost", "::1"):
            raise LocalAWSError(f"refusing to bind the local AWS endpoint to {host}: use a loopback address")
        try:
            import moto.server  # noqa: F401
        except ImportError:
            raise LocalAWSError(
                "moto is not installed: pip install 'lake-harness[local]' (moto[server]) to run the lake locally"
            ) from None
        for _ in range(PORT_ATTEMPTS if port is None else 1):
            started = cls._start_on(host, port or free_port(host), timeout)
            if started is not None:
                return started
        where = f"port {port}" if port else f"{PORT_ATTEMPTS} free ports in a row"
        raise LocalAWSError(f"moto server could not bind {host}: {where} taken by another process")

    @classmethod
    def _start_on(cls, host: str, port: int, timeout: float) -> LocalAWS | None:
        """Our server on ``port``, or None when another process holds the port."""
        endpoint = f"http://{host}:{port}"
        env = dict(os.environ)
        # AWS managed policies exist in every real account (attaching AmazonS3FullAccess is a drift scenario);
        # moto only has them when asked (about 3 s once, on the first IAM call).
        env.update(
            {
                "MOTO_ALLOW_NONEXISTENT_REGION": "true",
                "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
                "PYTHONUNBUFFERED": "1",
                **LOCAL_CREDENTIALS,
            }
        )
        fd, log_path = tempfile.mkstemp(prefix="lake-moto-", suffix=".log")
        with os.fdopen(fd, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-c", MOTO_SERVER_CODE, "-H", host, "-p", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=log,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    log_text = fh.read()
                os.unlink(log_path)
                if port_taken(log_text):
                    return None
                err = log_text.strip().splitlines()[-5:]
                raise LocalAWSError(f"moto server exited with {proc.returncode} on {endpoint}: {' | '.join(err)}")
            if serving(log_path, endpoint) and is_listening(endpoint):
                return cls(endpoint=endpoint, _proc=proc, log_path=log_path)
            time.sleep(0.1)
        _terminate(proc)
        os.unlink(log_path)
        raise LocalAWSError(f"moto server did not answer on {endpoint} within {timeout:.0f}s")

    @classmethod
    def attach(cls, endpoint: str, region: str = LOCAL_REGION) -> LocalAWS:
        endpoint = endpoint.rstrip("/")
        if not is_listening(endpoint, timeout=3):
            raise LocalAWSError(f"no local AWS endpoint answers at {endpoint} (start one with `lake up`)")
        return cls(endpoint=endpoint, region=region)

    @property
    def owned(self) -> bool:
        return self._proc is not None

    def stop(self) -> None:
        if self._proc is not None:
            _terminate(self._proc)
            self._proc = None
        if self.log_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.log_path)
            self.log_path = None

    def server_errors(self, limit: int = 20) -> list[str]:
        """The server's 5xx answers and tracebacks so far (``server_errors``); none for an attached endpoint."""
        if self.log_path is None:
            return []
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as fh:
                return server_errors(fh.read(), limit)
        except FileNotFoundError:
            return []

    def reset(self) -> None:
        """Forget every resource (moto's reset API)."""
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=10):
            pass

    def __enter__(self) -> LocalAWS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ clients

    def environment(self) -> dict[str, str]:
        return aws_environment(self.endpoint, self.region)

    def session(self):
        import boto3

        return boto3.session.Session(
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=self.region,
        )

    def client(self, service: str, **kwargs):
        return self.session().client(service, endpoint_url=self.endpoint, **kwargs)

    def terraform_variables(self) -> dict[str, str]:
        """The variables ``infra/envs/local`` needs to target this endpoint."""
        return {"aws_endpoint": self.endpoint, "aws_region": self.region}


def _terminate(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def local_aws(endpoint: str | None = None) -> Iterator[LocalAWS]:
    """Attach to ``endpoint`` when given, otherwise start a private moto server for the block."""
    aws = LocalAWS.attach(endpoint) if endpoint else LocalAWS.start()
    try:
        yield aws
    finally:
        aws.stop()
