"""The AWS Query protocol (STS, SNS), driven by the service model.

parse_params() turns flat form parameters (Tags.member.1.Key=...) into the
typed structure the model describes, reporting parameters the model does
not know; serialize() writes an operation's result as the protocol's XML.
"""

import base64
import datetime
from xml.sax.saxutils import escape

from .validate import parse_timestamp

AUTH_PARAMS = {"Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential",
               "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
               "X-Amz-Signature", "X-Amz-Security-Token"}


def parse_params(shapes, shape_name, params):
    """Return (value dict, list of problems)."""
    flat = {k: v for k, v in params.items() if k not in AUTH_PARAMS}
    used = set()
    problems = []
    value = _parse(shapes, shape_name, "", flat, used, problems)
    for k in sorted(set(flat) - used):
        problems.append("Unknown parameter '%s'" % k)
    return value or {}, problems


def _parse(shapes, shape_name, prefix, flat, used, problems):
    shape = shapes[shape_name]
    t = shape["type"]
    if t == "structure":
        out = {}
        for name, m in shape.get("members", {}).items():
            key = (prefix + "." if prefix else "") + m.get("locationName",
                                                           name)
            if key in flat or any(k.startswith(key + ".") for k in flat):
                v = _parse(shapes, m["shape"], key, flat, used, problems)
                if v is not None:
                    out[name] = v
        return out
    if t == "list":
        member = shape["member"]
        if shape.get("flattened"):
            base = prefix
        else:
            base = prefix + "." + member.get("locationName", "member")
        if prefix in flat and flat[prefix] == "":
            used.add(prefix)
            return []
        items = []
        i = 1
        while True:
            key = "%s.%d" % (base, i)
            if key not in flat and not any(k.startswith(key + ".")
                                           for k in flat):
                break
            items.append(_parse(shapes, member["shape"], key, flat, used,
                                problems))
            i += 1
        return items
    if t == "map":
        kname = shape["key"].get("locationName", "key")
        vname = shape["value"].get("locationName", "value")
        base = prefix if shape.get("flattened") else prefix + ".entry"
        out = {}
        i = 1
        while True:
            kk = "%s.%d.%s" % (base, i, kname)
            if kk not in flat:
                break
            used.add(kk)
            out[flat[kk]] = _parse(shapes, shape["value"]["shape"],
                                   "%s.%d.%s" % (base, i, vname), flat, used,
                                   problems)
            i += 1
        return out
    if prefix not in flat:
        return None
    used.add(prefix)
    raw = flat[prefix]
    if t in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            problems.append("Value '%s' for parameter %s is invalid. It must"
                            " be an integer" % (raw, prefix))
            return None
    if t in ("double", "float"):
        try:
            return float(raw)
        except ValueError:
            problems.append("Value '%s' for parameter %s is invalid. It must"
                            " be a number" % (raw, prefix))
            return None
    if t == "boolean":
        if raw.lower() not in ("true", "false"):
            problems.append("Value '%s' for parameter %s is invalid. It must"
                            " be a boolean" % (raw, prefix))
            return None
        return raw.lower() == "true"
    if t == "timestamp":
        if parse_timestamp(raw) is None:
            problems.append("Value '%s' for parameter %s is invalid. It must"
                            " be a timestamp" % (raw, prefix))
            return None
        return raw
    return raw


def _iso(v):
    if isinstance(v, (int, float)):
        v = datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    return v.strftime("%Y-%m-%dT%H:%M:%SZ")


def _xml(shapes, shape_name, value, out):
    shape = shapes[shape_name]
    t = shape["type"]
    if t == "structure":
        for name, m in shape.get("members", {}).items():
            if name not in value or value[name] is None:
                continue
            tag = m.get("locationName", name)
            sub = shapes[m["shape"]]
            if sub["type"] == "list" and sub.get("flattened"):
                for item in value[name]:
                    out.append("<%s>" % tag)
                    _xml(shapes, sub["member"]["shape"], item, out)
                    out.append("</%s>" % tag)
                continue
            out.append("<%s>" % tag)
            _xml(shapes, m["shape"], value[name], out)
            out.append("</%s>" % tag)
    elif t == "list":
        tag = shape["member"].get("locationName", "member")
        for item in value:
            out.append("<%s>" % tag)
            _xml(shapes, shape["member"]["shape"], item, out)
            out.append("</%s>" % tag)
    elif t == "map":
        for k, v in value.items():
            out.append("<entry><key>%s</key><value>" % escape(str(k)))
            _xml(shapes, shape["value"]["shape"], v, out)
            out.append("</value></entry>")
    elif t == "boolean":
        out.append("true" if value else "false")
    elif t == "timestamp":
        out.append(_iso(value))
    elif t == "blob":
        out.append(base64.b64encode(value).decode())
    else:
        out.append(escape(str(value)))


def serialize(model, op, result, request_id):
    """The XML body answering op with result (a dict or None)."""
    ns = model.metadata.get("xmlNamespace", "")
    out = ['<%sResponse xmlns="%s">' % (op, ns)]
    o = model.operations[op].get("output")
    if o is not None:
        wrapper = o.get("resultWrapper", op + "Result")
        out.append("<%s>" % wrapper)
        _xml(model.shapes, o["shape"], result or {}, out)
        out.append("</%s>" % wrapper)
    out.append("<ResponseMetadata><RequestId>%s</RequestId>"
               "</ResponseMetadata></%sResponse>" % (request_id, op))
    return "".join(out).encode()
