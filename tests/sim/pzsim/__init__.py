"""pzsim: a strict local AWS (Personalize, Personalize runtime and events,
S3, STS, SNS) for pz's tests and for users' offline dry runs.

Modules:
  server       HTTP server, routing, control endpoints (/__sim/*)
  sigv4        SigV4 verification with botocore's signer
  models       locating and loading the service models
  validate     one generic request validator driven by the models
  errors       AWS errors and how each protocol renders them
  faults       throttling, 5xx, latency, dropped connections
  store        state kept under --data-dir, written atomically
  s3, sts, sns the REST-XML and Query services
  personalize  control plane, data checks, lifecycles, runtime
"""

__version__ = "1.0"
