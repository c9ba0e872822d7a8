"""Locating and loading the AWS service models.

Search order for a model directory: --model-dir, $PZ_AWS_MODEL_DIR, the
sibling ../shared/aws of the repository root, then Debian's botocore data.
A directory holds either <service>-service-2.json files (shared/aws's
layout) or botocore's <service>/<api-version>/service-2.json layout. A
service missing from the chosen directory falls back to botocore's data.
Models are parsed once and cached for the life of the process.
"""

import json
import os
import threading

SERVICES = ("personalize", "personalize-runtime", "personalize-events",
            "s3", "sts", "sns")

_HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))


def botocore_data_dir():
    try:
        import botocore
    except ImportError:
        return None
    return os.path.join(os.path.dirname(botocore.__file__), "data")


def default_model_dir():
    env = os.environ.get("PZ_AWS_MODEL_DIR")
    if env:
        return env
    sib = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "aws"))
    if os.path.isfile(os.path.join(sib, "personalize-service-2.json")):
        return sib
    return botocore_data_dir()


def _find_in(dirpath, service):
    if not dirpath:
        return None
    flat = os.path.join(dirpath, service + "-service-2.json")
    if os.path.isfile(flat):
        return flat
    sdir = os.path.join(dirpath, service)
    if os.path.isdir(sdir):
        versions = sorted(v for v in os.listdir(sdir)
                          if os.path.isfile(os.path.join(sdir, v,
                                                         "service-2.json")))
        if versions:
            return os.path.join(sdir, versions[-1], "service-2.json")
    return None


class ServiceModel:
    """A parsed service-2.json: metadata, operations, shapes."""

    def __init__(self, name, path, data):
        self.name = name
        self.path = path
        self.metadata = data["metadata"]
        self.operations = data["operations"]
        self.shapes = data["shapes"]
        self.protocol = self.metadata.get("protocol")

    def input_shape(self, op):
        o = self.operations.get(op)
        if o is None or "input" not in o:
            return None
        return o["input"]["shape"]

    def output_shape(self, op):
        o = self.operations.get(op)
        if o is None or "output" not in o:
            return None
        return o["output"]["shape"]


class ModelSet:
    """Every service model the simulator uses, loaded on construction."""

    def __init__(self, model_dir=None):
        self.model_dir = model_dir or default_model_dir()
        fallback = botocore_data_dir()
        self.models = {}
        for svc in SERVICES:
            path = _find_in(self.model_dir, svc) or _find_in(fallback, svc)
            if path is None:
                raise RuntimeError("no model for service %r in %s or %s"
                                   % (svc, self.model_dir, fallback))
            with open(path, encoding="utf-8") as f:
                self.models[svc] = ServiceModel(svc, path, json.load(f))

    def __getitem__(self, svc):
        return self.models[svc]

    def describe(self):
        p = self.models["personalize"]
        return ("models from %s (personalize %s: %d operations, %s)"
                % (os.path.dirname(p.path), p.metadata.get("apiVersion"),
                   len(p.operations), p.path))


_cache = {}
_cache_lock = threading.Lock()


def load(model_dir=None):
    """Return the (cached) ModelSet for model_dir."""
    key = model_dir or default_model_dir()
    with _cache_lock:
        ms = _cache.get(key)
        if ms is None:
            ms = ModelSet(key)
            _cache[key] = ms
        return ms
