"""A local S3-compatible server for the S3 adapter's tests: moto's server, as a process."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from tests.support.procs import clean_env, free_port, spawn, wait_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@contextmanager
def moto_server(log_dir: Path, bucket: str) -> Iterator[tuple[str, object]]:
    """(endpoint, a boto3 client) of a fresh moto server with `bucket` created."""
    port = free_port()
    proc = spawn(
        "moto",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=clean_env({}),
        log_dir=log_dir,
        port=port,
    )
    try:
        wait_port(port, up=True)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )
        client.create_bucket(Bucket=bucket)
        yield endpoint, client
    finally:
        proc.stop()
