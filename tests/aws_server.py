"""AWS in a thread on 127.0.0.1 (moto's server), for code mlops ships that calls AWS
through boto3. Each test gets the server's URL; the server stops with the session."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
               "AWS_DEFAULT_REGION": "eu-west-1"}


@contextmanager
def running() -> Iterator[str]:
    with socket.socket() as probe:  # a free port on the loopback interface
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # AWS managed policies exist in every account (mlops bootstrap attaches one); moto
    # creates them only when asked.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
