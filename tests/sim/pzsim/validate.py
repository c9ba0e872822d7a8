"""One generic request validator driven by the service model.

validate(shape, value) walks the input shape and reports, in AWS's
(Coral's) wording, every member that is missing, unknown, of the wrong
type, outside its length or value range, not in its enum, or not matching
its pattern. The model's patterns are Java regular expressions; java_regex()
turns them into Python ones (\\p{...} classes, ASCII \\d \\w \\s) and they
must match the whole value, as Java's String.matches does.
"""

import base64
import datetime
import json
import os
import re
import tempfile
import threading
import unicodedata

# --- Java regular expressions -------------------------------------------

_POSIX = {
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Upper": "A-Z",
    "Lower": "a-z",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Space": " \\t\\n\\x0b\\f\\r",
    "XDigit": "0-9a-fA-F",
    "Cntrl": "\\x00-\\x1f\\x7f",
}

_unicode_classes = None
_unicode_lock = threading.Lock()


def _ranges(cps):
    out = []
    start = prev = None
    for cp in cps:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))

    def esc(cp):
        return "\\U%08x" % cp
    return "".join(esc(a) if a == b else "%s-%s" % (esc(a), esc(b))
                   for a, b in out)


def _unicode_cache():
    """Where the classes of this Python's Unicode version are kept
    between runs (building them takes half a second of CPU)."""
    return os.path.join(tempfile.gettempdir(), "pzsim-unicode-%s-%d.json"
                        % (unicodedata.unidata_version, os.getuid()))


def _unicode_class(name):
    """Character-class body for a Unicode general category (L, Lu, N...)."""
    global _unicode_classes
    with _unicode_lock:
        if _unicode_classes is None:
            # only a file of this user's that no one else may write (the
            # temporary directory is shared)
            try:
                with open(_unicode_cache()) as f:
                    st = os.fstat(f.fileno())
                    if st.st_uid == os.getuid() and \
                            not st.st_mode & 0o022:
                        _unicode_classes = json.load(f)
            except (OSError, ValueError):
                pass
        if not isinstance(_unicode_classes, dict) or \
                "L" not in _unicode_classes:
            cats = {}
            for cp in range(0x110000):
                c = unicodedata.category(chr(cp))
                cats.setdefault(c, []).append(cp)
                cats.setdefault(c[0], []).append(cp)
            _unicode_classes = {k: _ranges(v) for k, v in cats.items()}
            try:
                from .store import atomic_write
                atomic_write(_unicode_cache(),
                             json.dumps(_unicode_classes).encode())
            except OSError:
                pass  # a cache only
        return _unicode_classes.get(name)


def warm():
    """Builds the Unicode classes in the background, so that the first
    request whose members have a \\p{...} pattern (tags: \\p{L}) does not
    spend half a second of its answer on them."""
    t = threading.Thread(target=_unicode_class, args=("L",),
                         name="unicode-classes", daemon=True)
    t.start()
    return t


def _class_body(name):
    if name.startswith("Is"):
        name = name[2:]
    if name in ("Alphabetic", "Letter"):
        name = "L"
    if name in _POSIX:
        return _POSIX[name]
    body = _unicode_class(name)
    if body is None:
        raise ValueError("unsupported \\p{%s}" % name)
    return body


def java_regex(pattern):
    """Translate a Java regex from an AWS model into a Python regex."""
    out = []
    i = 0
    depth = 0  # character class nesting
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            if d in "pP" and i + 2 < n:
                if pattern[i + 2] == "{":
                    j = pattern.index("}", i + 3)
                    name = pattern[i + 3:j]
                else:
                    j = i + 2
                    name = pattern[i + 2]
                body = _class_body(name)
                neg = d == "P"
                if depth:
                    if neg:
                        raise ValueError("negated class inside class")
                    out.append(body)
                else:
                    out.append("[%s%s]" % ("^" if neg else "", body))
                i = j + 1
                continue
            if d == "Q":
                j = pattern.find("\\E", i + 2)
                j = n if j < 0 else j
                out.append(re.escape(pattern[i + 2:j]))
                i = j + 2
                continue
            if d == "x" and i + 2 < n and pattern[i + 2] == "{":
                j = pattern.index("}", i + 3)
                out.append("\\U%08x" % int(pattern[i + 3:j], 16))
                i = j + 1
                continue
            if d == "h":
                out.append(" \\t\\xa0" if depth else "[ \\t\\xa0]")
                i += 2
                continue
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


_re_cache = {}


def compile_java(pattern):
    r = _re_cache.get(pattern)
    if r is None:
        r = re.compile(java_regex(pattern), re.ASCII)
        _re_cache[pattern] = r
    return r


# --- validation -----------------------------------------------------------

def _show(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join("%s=%s" % (k, _show(x))
                               for k, x in v.items()) + "}"
    return str(v)


def _type_name(t):
    return {"string": "String", "integer": "Integer", "long": "Long",
            "boolean": "Boolean", "double": "Double", "float": "Float",
            "timestamp": "Timestamp", "blob": "Blob", "structure":
            "Structure", "list": "List", "map": "Map"}.get(t, t)


class Validator:
    """Validates values against the shapes of one service model.

    protocol "json" expects JSON types; "query" expects the typed values
    that query.parse_params produced from form strings.
    """

    def __init__(self, shapes, protocol="json", patterns=True):
        self.shapes = shapes
        self.protocol = protocol
        # AWS's own answers break some output patterns (an IAM role ARN in
        # a member typed Arn): checking responses turns patterns off.
        self.patterns = patterns

    def validate(self, shape_name, value):
        """Return a list of messages, empty when value is valid."""
        errs = []
        if value is None:
            value = {}
        self._check(shape_name, value, "", errs, top=True)
        return errs

    def message(self, errs):
        n = len(errs)
        return "%d validation error%s detected: %s" % (
            n, "" if n == 1 else "s", "; ".join(errs))

    def _constraint(self, errs, path, value, text, sensitive=False):
        shown = "***" if sensitive else _show(value)
        if value is None:
            errs.append("Value null at '%s' failed to satisfy constraint: %s"
                        % (path, text))
        else:
            errs.append("Value '%s' at '%s' failed to satisfy constraint: %s"
                        % (shown, path, text))

    def _check(self, shape_name, value, path, errs, top=False):
        shape = self.shapes[shape_name]
        t = shape["type"]
        sens = bool(shape.get("sensitive"))
        if t == "structure":
            if not isinstance(value, dict):
                self._constraint(errs, path, value,
                                 "Member must be a Structure", sens)
                return
            members = shape.get("members", {})
            for name in shape.get("required", []):
                if value.get(name) is None:
                    self._constraint(errs, self._join(path, name), None,
                                     "Member must not be null")
            for name, v in value.items():
                m = members.get(name)
                if m is None:
                    errs.append("Unknown member '%s' at '%s': must be one of"
                                " [%s]" % (name, path or shape_name,
                                           ", ".join(members)))
                    continue
                if v is None:
                    continue
                sub = self._join(path, name)
                if m.get("jsonvalue") and isinstance(v, str):
                    try:
                        json.loads(v)
                    except ValueError:
                        self._constraint(errs, sub, v, "Member must be a "
                                         "JSON document", sens)
                self._check(m["shape"], v, sub, errs)
            return
        if t == "list":
            if not isinstance(value, list):
                self._constraint(errs, path, value, "Member must be a List",
                                 sens)
                return
            self._length(shape, value, len(value), path, errs, sens)
            for i, item in enumerate(value):
                if item is None:
                    self._constraint(errs, "%s.%d.member" % (path, i + 1),
                                     None, "Member must not be null")
                    continue
                self._check(shape["member"]["shape"], item,
                            "%s.%d.member" % (path, i + 1), errs)
            return
        if t == "map":
            if not isinstance(value, dict):
                self._constraint(errs, path, value, "Member must be a Map",
                                 sens)
                return
            self._length(shape, value, len(value), path, errs, sens)
            for k, v in value.items():
                self._check(shape["key"]["shape"], k, path + ".key", errs)
                if v is None:
                    continue
                self._check(shape["value"]["shape"], v,
                            "%s.%s" % (path, k), errs)
            return
        if t == "string":
            if not isinstance(value, str):
                self._constraint(errs, path, value,
                                 "Member must be a String", sens)
                return
            if shape.get("jsonvalue"):
                try:
                    json.loads(value)
                except ValueError:
                    self._constraint(errs, path, value,
                                     "Member must be a JSON document", sens)
            if "enum" in shape and value not in shape["enum"]:
                self._constraint(errs, path, value,
                                 "Member must satisfy enum value set: [%s]"
                                 % ", ".join(shape["enum"]), sens)
            self._length(shape, value, len(value), path, errs, sens)
            pat = shape.get("pattern")
            if pat is not None and self.patterns and \
                    not compile_java(pat).fullmatch(value):
                self._constraint(errs, path, value,
                                 "Member must satisfy regular expression "
                                 "pattern: %s" % pat, sens)
            return
        if t in ("integer", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                self._constraint(errs, path, value, "Member must be a %s"
                                 % _type_name(t), sens)
                return
            self._range(shape, value, path, errs, sens)
            return
        if t in ("double", "float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self._constraint(errs, path, value, "Member must be a %s"
                                 % _type_name(t), sens)
                return
            self._range(shape, value, path, errs, sens)
            return
        if t == "boolean":
            if not isinstance(value, bool):
                self._constraint(errs, path, value,
                                 "Member must be a Boolean", sens)
            return
        if t == "timestamp":
            if isinstance(value, bool) or not (
                    isinstance(value, (int, float)) or
                    (isinstance(value, str) and parse_timestamp(value))):
                self._constraint(errs, path, value,
                                 "Member must be a Timestamp", sens)
            return
        if t == "blob":
            if not isinstance(value, (str, bytes)):
                self._constraint(errs, path, value, "Member must be a Blob",
                                 sens)
                return
            if isinstance(value, str):
                try:
                    base64.b64decode(value, validate=True)
                except ValueError:
                    self._constraint(errs, path, value,
                                     "Member must be base64 encoded", sens)
            return

    @staticmethod
    def _join(path, name):
        return "%s.%s" % (path, name) if path else name

    def _length(self, shape, value, n, path, errs, sens):
        if "min" in shape and n < shape["min"]:
            self._constraint(errs, path, value,
                             "Member must have length greater than or equal"
                             " to %d" % shape["min"], sens)
        if "max" in shape and n > shape["max"]:
            self._constraint(errs, path, value,
                             "Member must have length less than or equal to"
                             " %d" % shape["max"], sens)

    def _range(self, shape, value, path, errs, sens):
        if "min" in shape and value < shape["min"]:
            self._constraint(errs, path, value,
                             "Member must have value greater than or equal"
                             " to %s" % _num(shape["min"]), sens)
        if "max" in shape and value > shape["max"]:
            self._constraint(errs, path, value,
                             "Member must have value less than or equal to "
                             "%s" % _num(shape["max"]), sens)


def _num(x):
    return str(int(x)) if float(x).is_integer() else str(x)


def parse_timestamp(s):
    """Parse an ISO 8601 timestamp; return a datetime or None."""
    s = s.strip()
    try:
        if s.endswith("Z"):
            s = s[:-1] + "+00:00"
        d = datetime.datetime.fromisoformat(s)
        if d.tzinfo is None:
            d = d.replace(tzinfo=datetime.timezone.utc)
        return d
    except ValueError:
        return None
