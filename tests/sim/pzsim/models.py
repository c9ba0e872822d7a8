"""Locating and loading the AWS service models.

Search order for a model directory: --model-dir, $PZ_AWS_MODEL_DIR, the
sibling ../shared/aws of the repository root, then the data directory of
the newest botocore on the machine (botocore_installations(): the one
/usr/bin/python3 imports, those of every python3 and python3.X on PATH,
and those under well-known prefixes such as pyenv's versions, ~/.local,
/usr/local, conda and pipx; the highest __version__ wins). A directory
holds either <service>-service-2.json files (shared/aws's layout) or
botocore's <service>/<api-version>/service-2.json layout; either may be
gzipped (.json.gz, as newer botocore ships them). A service missing from
the chosen directory falls back to the newest botocore that has it.
Models are parsed once and cached for the life of the process.
"""

import glob
import gzip
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import namedtuple

SERVICES = ("personalize", "personalize-runtime", "personalize-events",
            "s3", "sts", "sns")

_HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))

# How long a python3 on PATH may take to say where its botocore is.
PROBE_TIMEOUT_S = 3.0

Botocore = namedtuple("Botocore", "version package_dir data_dir")

_VERSION_RE = re.compile(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", re.M)
_PYTHON_RE = re.compile(r"^python3(\.\d+)?$")
_PROBE = ("import importlib.util as u\n"
          "s = u.find_spec('botocore')\n"
          "print(s.origin if s is not None and s.origin else '')\n")


def botocore_version(package_dir):
    """The __version__ of the botocore package in package_dir (read from
    its __init__.py, not imported), or None."""
    try:
        with open(os.path.join(package_dir, "__init__.py"),
                  encoding="utf-8") as f:
            m = _VERSION_RE.search(f.read(65536))
    except (OSError, UnicodeDecodeError):
        return None
    return m.group(1) if m else None


def version_key(version):
    """"1.43.11" -> (1, 43, 11); a part's leading digits count."""
    key = []
    for part in version.split("."):
        m = re.match(r"\d+", part)
        key.append(int(m.group()) if m else 0)
    return tuple(key)


def data_dir_version(dirpath):
    """The botocore version when dirpath is a botocore package's data
    directory (.../botocore/data), else None."""
    if not dirpath or os.path.basename(os.path.normpath(dirpath)) != "data":
        return None
    return botocore_version(os.path.dirname(os.path.normpath(dirpath)))


def _pyenv_root_of_shim(path):
    """The pyenv root when path is a pyenv shim, else None. A shim runs
    one of <root>/versions/*, which the glob below covers."""
    if os.path.basename(os.path.dirname(path)) != "shims":
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(2048).decode("utf-8", "replace")
    except OSError:
        return None
    if "pyenv" not in head or not head.startswith("#!"):
        return None
    m = re.search(r'PYENV_ROOT="([^"]+)"', head)
    return m.group(1) if m else os.path.dirname(os.path.dirname(path))


def _python_key(exe):
    """What tells interpreters apart: the virtual environment an
    executable belongs to (its python is a link to the base one), else
    the executable's real path."""
    env = os.path.dirname(os.path.dirname(os.path.abspath(exe)))
    if os.path.isfile(os.path.join(env, "pyvenv.cfg")):
        return "venv:" + os.path.realpath(env)
    return os.path.realpath(exe)


def _path_pythons():
    """Distinct python3 / python3.X executables on PATH (this one left
    out), and the pyenv roots of the pyenv shims among them."""
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        seen = {"venv:" + os.path.realpath(sys.prefix)}
    else:
        seen = {os.path.realpath(sys.executable)}
    exes, pyenv_roots = [], []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = sorted(os.listdir(d or "."))
        except OSError:
            continue
        for n in names:
            if not _PYTHON_RE.match(n):
                continue
            p = os.path.join(d, n)
            if not (os.path.isfile(p) and os.access(p, os.X_OK)):
                continue
            key = _python_key(p)
            if key in seen:
                continue
            seen.add(key)
            root = _pyenv_root_of_shim(p)
            if root is not None:
                if root not in pyenv_roots:
                    pyenv_roots.append(root)
                continue
            exes.append(p)
    return exes, pyenv_roots


def _probe(exes):
    """Ask each interpreter, all at once, where its botocore is; return
    the package directories they named. Slow or broken ones are killed
    and ignored."""
    procs = []
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for exe in exes:
        try:
            procs.append(subprocess.Popen(
                [exe, "-c", _PROBE], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                universal_newlines=True, start_new_session=True))
        except OSError:
            pass
    deadline = time.monotonic() + PROBE_TIMEOUT_S
    found = []
    for p in procs:
        try:
            out, _ = p.communicate(timeout=max(0.0,
                                               deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:  # its whole group: a wrapper script's children too
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait()
            p.stdout.close()
            continue
        lines = out.strip().splitlines()
        if p.returncode == 0 and lines and \
                os.path.basename(lines[-1]) == "__init__.py":
            found.append(os.path.dirname(lines[-1]))
    return found


def _glob_prefixes(pyenv_roots):
    home = os.path.expanduser("~")
    roots = list(pyenv_roots)
    for r in (os.environ.get("PYENV_ROOT"), os.path.join(home, ".pyenv")):
        if r and r not in roots:
            roots.append(r)
    sp = "lib/python3*/site-packages/botocore"
    pats = []
    for r in roots:
        pats += [os.path.join(r, "versions", "*", sp),
                 os.path.join(r, "versions", "*", "envs", "*", sp)]
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        pats.append(os.path.join(venv, sp))
    for conda in ("miniconda3", "anaconda3", "miniforge3", "mambaforge"):
        pats += [os.path.join(home, conda, sp),
                 os.path.join(home, conda, "envs", "*", sp)]
    pats += [os.path.join(home, ".local", sp),
             os.path.join(home, ".local", "pipx", "venvs", "*", sp),
             os.path.join(home, ".local", "share", "pipx", "venvs", "*", sp),
             "/opt/conda/" + sp, "/opt/conda/envs/*/" + sp,
             "/usr/local/lib/python3*/site-packages/botocore",
             "/usr/local/lib/python3*/dist-packages/botocore",
             "/usr/lib/python3/dist-packages/botocore",
             "/usr/lib/python3*/site-packages/botocore",
             "/usr/lib64/python3*/site-packages/botocore",
             "/opt/homebrew/" + sp]
    out = []
    for pat in pats:
        out += sorted(glob.glob(pat))
    return out


_installs = None
_installs_lock = threading.Lock()


def botocore_installations():
    """Every botocore package found on the machine that has a data
    directory, newest first (ties: in the order found). Found once per
    process: the one this interpreter imports, those of the python3 /
    python3.X on PATH, and those under well-known prefixes."""
    global _installs
    with _installs_lock:
        if _installs is not None:
            return _installs
        candidates = []
        try:
            spec = importlib.util.find_spec("botocore")
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            candidates.append(os.path.dirname(spec.origin))
        exes, pyenv_roots = _path_pythons()
        candidates += _probe(exes)
        candidates += _glob_prefixes(pyenv_roots)
        seen = set()
        found = []
        for pkg in candidates:
            real = os.path.realpath(pkg)
            if real in seen:
                continue
            seen.add(real)
            version = botocore_version(pkg)
            data = os.path.join(pkg, "data")
            if version and os.path.isdir(data):
                found.append(Botocore(version, pkg, data))
        found.sort(key=lambda b: version_key(b.version), reverse=True)
        _installs = found
        return found


def botocore_data_dir():
    """The data directory of the newest botocore that has a Personalize
    model, or None."""
    for b in botocore_installations():
        if _find_in(b.data_dir, "personalize"):
            return b.data_dir
    return None


def default_model_dir():
    env = os.environ.get("PZ_AWS_MODEL_DIR")
    if env:
        return env
    sib = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "aws"))
    if _find_flat(sib, "personalize"):
        return sib
    return botocore_data_dir()


def _first_file(*paths):
    for p in paths:
        if os.path.isfile(p):
            return p
    return None


def _find_flat(dirpath, service):
    flat = os.path.join(dirpath, service + "-service-2.json")
    return _first_file(flat, flat + ".gz")


def _find_in(dirpath, service):
    if not dirpath:
        return None
    flat = _find_flat(dirpath, service)
    if flat:
        return flat
    sdir = os.path.join(dirpath, service)
    if os.path.isdir(sdir):
        for v in sorted(os.listdir(sdir), reverse=True):
            p = os.path.join(sdir, v, "service-2.json")
            p = _first_file(p, p + ".gz")
            if p:
                return p
    return None


def source_label(dirpath):
    """How a model directory is named to people: "botocore 1.43.11" for a
    botocore data directory, else the directory."""
    v = data_dir_version(dirpath)
    return "botocore %s" % v if v else os.path.normpath(dirpath)


def _read_json(path):
    if path.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class ServiceModel:
    """A parsed service-2.json: metadata, operations, shapes."""

    def __init__(self, name, path, data, source=None):
        self.name = name
        self.path = path
        self.source = source or os.path.dirname(path)
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
        self.models = {}
        self.dirs = {}
        for svc in SERVICES:
            d, path = self.model_dir, _find_in(self.model_dir, svc)
            if path is None:
                for b in botocore_installations():
                    path = _find_in(b.data_dir, svc)
                    if path:
                        d = b.data_dir
                        break
            if path is None:
                raise RuntimeError(
                    "no model for service %r in %s or any botocore data "
                    "directory (%s)" % (svc, self.model_dir, ", ".join(
                        b.data_dir for b in botocore_installations())
                        or "no botocore found"))
            self.dirs[svc] = d
            self.models[svc] = ServiceModel(svc, path, _read_json(path),
                                            source_label(d))

    def __getitem__(self, svc):
        return self.models[svc]

    def describe(self):
        p = self.models["personalize"]
        d = self.dirs["personalize"]
        v = data_dir_version(d)
        head = ("botocore %s; " % v) if v else ""
        others = {}
        for svc in SERVICES:
            if self.dirs[svc] != d:
                others.setdefault(self.models[svc].source, []).append(svc)
        tail = "".join("; %s from %s" % (", ".join(s), src)
                       for src, s in others.items())
        return ("models from %s (%spersonalize %s: %d operations, %s%s)"
                % (d, head, p.metadata.get("apiVersion"),
                   len(p.operations), p.path, tail))


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
