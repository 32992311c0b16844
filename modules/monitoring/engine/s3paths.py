"""`s3://` inputs and outputs, for runs outside Processing.

In a Processing job, Processing itself downloads the inputs and uploads the output
folder, so the configuration names local folders. Run anywhere else (a laptop, a
notebook, a plain container), a configuration may name `s3://bucket/prefix` instead:
every object under the prefix is downloaded to a staging folder, keeping its path below
the prefix (capture's `<variant>/yyyy/mm/dd/hh/` layout survives), and the output folder
is uploaded under the output prefix. Credentials and region are boto3's.
"""

from __future__ import annotations

import pathlib

try:
    from .capture import InputError
except ImportError:  # run from the uploaded folder as `python3 job.py`
    from capture import InputError


def is_s3(value) -> bool:
    return isinstance(value, str) and value.startswith("s3://")


def split(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    if not bucket:
        raise InputError(f"{uri}: an S3 URI names a bucket: s3://bucket/prefix")
    return bucket, prefix


def download(client, uri: str, folder: pathlib.Path) -> pathlib.Path:
    """Every object under `uri` into `folder`; `folder`, or the one file `uri` names."""
    import botocore.exceptions

    bucket, prefix = split(uri)
    try:
        keys = [item["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                for item in page.get("Contents", []) if not item["Key"].endswith("/")]
        if not keys:
            raise InputError(f"{uri}: no objects")
        if keys == [prefix]:  # the URI names one object
            target = folder / prefix.rsplit("/", 1)[-1]
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, prefix, str(target))
            return target
        base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        for key in sorted(keys):
            relative = key[len(base):] if key.startswith(base) else key[len(prefix):].lstrip("/")
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, key, str(target))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as err:
        raise InputError(f"{uri}: cannot download: {err}") from None
    return folder


def upload(client, folder: pathlib.Path, uri: str) -> list[str]:
    """Every file of `folder` under the `uri` prefix; the keys written."""
    bucket, prefix = split(uri)
    base = prefix.rstrip("/")
    keys = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        key = "/".join(x for x in (base, path.relative_to(folder).as_posix()) if x)
        client.upload_file(str(path), bucket, key)
        keys.append(key)
    return keys
