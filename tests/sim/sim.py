#!/usr/bin/python3
"""pz's AWS simulator: Personalize (control plane, runtime, events), S3,
STS and SNS on one loopback port. See tests/sim/README.md.

  /usr/bin/python3 tests/sim/sim.py --port 0 --port-file FILE --data-dir DIR
      [--time-scale S] [--throttle-rate P] [--error-rate P] [--latency-ms N]
      [--seed N] [--drop-rate P] [--region R] [--account-id ID]
      [--credentials-file FILE | --access-key K --secret-key S]
      [--model-dir DIR] [--max-concurrent-trainings N]
      [--web-identity-token-check] [--verbose]
      [--solution-config-after-update applied|unchanged] [--update-status
      active|updating] [--campaign-config-update replace|merge]
      [--import-while-importing refuse|queue] [--import-objects
      all|top-csv] [--campaign-other-solution refuse|allow]
      [--version-while-training refuse|allow]
"""

import argparse
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pzsim import models, store, validate  # noqa: E402
from pzsim.app import QUESTIONS, Options, Sim  # noqa: E402
from pzsim.faults import Faults  # noqa: E402
from pzsim.server import Server  # noqa: E402
from pzsim.sigv4 import Credential  # noqa: E402


def _rate(s):
    v = float(s)
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return v


def _nonneg(s):
    v = float(s)
    if v < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return v


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="sim.py", description="Local AWS simulator for pz: "
        "Personalize, S3, STS and SNS on 127.0.0.1.")
    ap.add_argument("--port", type=int, default=0,
                    help="TCP port on 127.0.0.1 (0: pick a free one)")
    ap.add_argument("--port-file", help="write the port here once "
                    "listening (atomically)")
    ap.add_argument("--data-dir", required=True,
                    help="state directory; a restart keeps the state")
    ap.add_argument("--time-scale", type=_nonneg, default=1.0,
                    help="multiply realistic durations (default 1.0)")
    ap.add_argument("--throttle-rate", type=_rate, default=0.0)
    ap.add_argument("--error-rate", type=_rate, default=0.0)
    ap.add_argument("--drop-rate", type=_rate, default=0.0)
    ap.add_argument("--latency-ms", type=_nonneg, default=0.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--account-id", default="123456789012")
    ap.add_argument("--credentials-file", help="JSON list of {accessKeyId, "
                    "secretAccessKey, sessionToken?, arn?}")
    ap.add_argument("--access-key")
    ap.add_argument("--secret-key")
    ap.add_argument("--model-dir", help="directory of AWS service models")
    ap.add_argument("--max-concurrent-trainings", type=int, default=20,
                    help="solution versions and recommenders training at "
                    "once per region (AWS: 20, adjustable)")
    ap.add_argument("--web-identity-token-check", action="store_true",
                    help="require AssumeRoleWithWebIdentity tokens to be "
                    "unexpired JWTs with iss, sub, aud and exp")
    ap.add_argument("--verbose", action="store_true")
    for k, (values, default, doc) in QUESTIONS.items():
        ap.add_argument("--" + k.replace("_", "-"), choices=values,
                        default=default, help=doc + " (default %s)"
                        % default)
    a = ap.parse_args(argv)
    if bool(a.access_key) != bool(a.secret_key):
        ap.error("--access-key and --secret-key go together")
    if not a.account_id.isdigit() or len(a.account_id) != 12:
        ap.error("--account-id must be 12 digits")
    return a


def load_credentials(a):
    creds = []
    if a.credentials_file:
        with open(a.credentials_file, encoding="utf-8") as f:
            for c in json.load(f):
                creds.append(Credential(c["accessKeyId"],
                                        c["secretAccessKey"],
                                        c.get("sessionToken"), c.get("arn")))
    if a.access_key:
        creds.append(Credential(a.access_key, a.secret_key))
    return creds or None


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    validate.warm()
    ms = models.load(a.model_dir)
    sys.stderr.write("pzsim: using %s\n" % ms.describe())
    os.makedirs(a.data_dir, exist_ok=True)
    st = store.Store(a.data_dir)
    faults = Faults(a.throttle_rate, a.error_rate, a.latency_ms, a.drop_rate,
                    a.seed)
    opts = Options(region=a.region, account_id=a.account_id,
                   time_scale=a.time_scale,
                   max_concurrent_trainings=a.max_concurrent_trainings,
                   web_identity_token_check=a.web_identity_token_check,
                   verbose=a.verbose, seed=a.seed,
                   **{k: getattr(a, k) for k in QUESTIONS})
    sim = Sim(opts, ms, st, faults, load_credentials(a))
    server = Server(sim, a.port)
    port = server.server_address[1]
    if a.port_file:
        store.atomic_write(os.path.abspath(a.port_file),
                           ("%d\n" % port).encode())
    sys.stderr.write("pzsim: listening on http://127.0.0.1:%d (region %s, "
                     "account %s, data %s)\n"
                     % (port, a.region, a.account_id,
                        os.path.abspath(a.data_dir)))
    sys.stderr.flush()

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
