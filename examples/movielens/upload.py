#!/usr/bin/env python3
"""Upload a directory to S3 (or the pz simulator), for the example data.

    upload.py DIR s3://BUCKET/PREFIX/ [--endpoint-url URL] [--create-bucket]

Credentials and region come from the usual AWS variables. Uses botocore
(Debian's python3-botocore).
"""
import argparse
import os
import sys

import botocore.session


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("dest")
    ap.add_argument("--endpoint-url",
                    default=os.environ.get("AWS_ENDPOINT_URL"))
    ap.add_argument("--create-bucket", action="store_true")
    a = ap.parse_args()
    if not a.dest.startswith("s3://"):
        sys.exit("upload.py: the destination must be s3://BUCKET/PREFIX/")
    bucket, _, prefix = a.dest[5:].partition("/")
    s3 = botocore.session.get_session().create_client(
        "s3", endpoint_url=a.endpoint_url,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        config=botocore.config.Config(s3={"addressing_style": "path"}))
    if a.create_bucket:
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass
    n = 0
    for top, _, files in sorted(os.walk(a.dir)):
        for name in sorted(files):
            path = os.path.join(top, name)
            key = prefix + os.path.relpath(path, a.dir)
            with open(path, "rb") as f:
                s3.put_object(Bucket=bucket, Key=key, Body=f.read())
            n += 1
    print("uploaded %d files to %s" % (n, a.dest))


if __name__ == "__main__":
    import botocore.config  # noqa: F401
    main()
