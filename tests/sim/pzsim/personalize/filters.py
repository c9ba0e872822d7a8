"""Personalize filter expressions: parse at CreateFilter, apply at run time.

  EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")
  INCLUDE ItemID WHERE Items.YEAR >= 1970 AND Items.GENRE IN ($GENRES)
  EXCLUDE ItemID WHERE Items.PRICE > 10 IF CurrentUser.AGE > 20
  expression | expression
"""

import re

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<param>\$[A-Za-z0-9_]+)
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<punct>[(),|])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
  )""", re.X)

DATASETS = {"ITEMS": "Items", "USERS": "Users", "INTERACTIONS":
            "Interactions", "ACTIONS": "Actions", "ACTIONINTERACTIONS":
            "Action_Interactions", "CURRENTUSER": "Users",
            "CURRENTITEM": "Items", "CURRENTACTION": "Actions"}
TARGETS = {"ITEMID": "ItemID", "USERID": "UserID", "ACTIONID": "ActionID"}


class FilterError(ValueError):
    pass


def _tokens(text):
    pos = 0
    out = []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterError("Invalid filter expression near '%s'"
                              % text[pos:pos + 20])
        pos = m.end()
        kind = m.lastgroup
        val = m.group(kind)
        if kind == "str":
            val = val[1:-1].replace('\\"', '"')
        elif kind == "num":
            val = float(val)
        out.append((kind, val))
    return out


class _P:
    def __init__(self, toks):
        self.t = toks
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def word(self, *want):
        k, v = self.take()
        if k != "word" or v.upper() not in want:
            raise FilterError("Invalid filter expression: expected %s, found"
                              " '%s'" % (" or ".join(want), v))
        return v.upper()

    def at_word(self, w):
        k, v = self.peek()
        return k == "word" and v.upper() == w


def parse(text):
    """Parse an expression into a list of clauses; raise FilterError."""
    if not text or not text.strip():
        raise FilterError("The filter expression is empty")
    p = _P(_tokens(text))
    clauses = []
    while True:
        action = p.word("INCLUDE", "EXCLUDE")
        k, v = p.take()
        if k != "word" or v.upper() not in TARGETS:
            raise FilterError("Invalid filter expression: expected ItemID, "
                              "UserID or ActionID after %s" % action)
        target = TARGETS[v.upper()]
        p.word("WHERE")
        cond = _or(p)
        guard = None
        if p.at_word("IF"):
            p.take()
            guard = _or(p)
        clauses.append({"action": action, "target": target, "where": cond,
                        "if": guard})
        k, v = p.peek()
        if k is None:
            return clauses
        if (k, v) != ("punct", "|"):
            raise FilterError("Invalid filter expression: unexpected '%s'"
                              % v)
        p.take()


def _or(p):
    left = _and(p)
    while p.at_word("OR"):
        p.take()
        left = ("or", left, _and(p))
    return left


def _and(p):
    left = _cond(p)
    while p.at_word("AND"):
        p.take()
        left = ("and", left, _cond(p))
    return left


def _value(p):
    k, v = p.take()
    if k in ("str", "num", "param"):
        return (k, v)
    raise FilterError("Invalid filter expression: expected a value, found "
                      "'%s'" % v)


def _cond(p):
    k, v = p.peek()
    if (k, v) == ("punct", "("):
        p.take()
        c = _or(p)
        if p.take() != ("punct", ")"):
            raise FilterError("Invalid filter expression: missing ')'")
        return c
    k, v = p.take()
    if k != "word" or "." not in v:
        raise FilterError("Invalid filter expression: expected "
                          "Dataset.FIELD, found '%s'" % v)
    ds, field = v.split(".", 1)
    if ds.upper() not in DATASETS:
        raise FilterError("Invalid filter expression: unknown dataset '%s'"
                          % ds)
    k2, op = p.take()
    if k2 == "word" and op.upper() == "NOT":
        p.word("IN")
        op = "NOT IN"
    elif k2 == "word" and op.upper() == "IN":
        op = "IN"
    elif k2 != "op":
        raise FilterError("Invalid filter expression: expected an operator "
                          "after %s" % v)
    if op in ("IN", "NOT IN"):
        if p.take() != ("punct", "("):
            raise FilterError("Invalid filter expression: IN needs a "
                              "parenthesised list")
        vals = [_value(p)]
        while p.peek() == ("punct", ","):
            p.take()
            vals.append(_value(p))
        if p.take() != ("punct", ")"):
            raise FilterError("Invalid filter expression: missing ')'")
        return ("cmp", ds.upper(), field.upper(), op, vals)
    return ("cmp", ds.upper(), field.upper(), op, [_value(p)])


def references(clauses):
    """{(dataset type, FIELD)} that the clauses use."""
    out = set()

    def walk(c):
        if c is None:
            return
        if c[0] == "cmp":
            out.add((DATASETS[c[1]], c[2]))
        else:
            walk(c[1])
            walk(c[2])
    for cl in clauses:
        walk(cl["where"])
        walk(cl["if"])
    return out


def params(clauses):
    out = set()

    def walk(c):
        if c is None:
            return
        if c[0] == "cmp":
            out.update(v for k, v in c[4] if k == "param")
        else:
            walk(c[1])
            walk(c[2])
    for cl in clauses:
        walk(cl["where"])
        walk(cl["if"])
    return out


def _resolve(vals, values):
    out = []
    for k, v in vals:
        if k == "param":
            raw = values.get(v[1:])
            if raw is None:
                return None
            for part in re.findall(r'"((?:[^"\\]|\\.)*)"|([^,\s]+)', raw):
                s = part[0] or part[1]
                try:
                    out.append(float(s))
                except ValueError:
                    out.append(s)
        else:
            out.append(v)
    return out


def _match(value, op, vals):
    if value is None:
        return False
    if isinstance(value, str) and "|" in value and op in ("IN", "NOT IN"):
        parts = value.split("|")
    else:
        parts = [value]
    if op == "IN":
        return any(p in vals or "*" in vals for p in parts)
    if op == "NOT IN":
        return not any(p in vals for p in parts)
    try:
        a = float(value)
        b = float(vals[0])
    except (TypeError, ValueError):
        a, b = value, vals[0]
        if op not in ("=", "!="):
            return False
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b,
            ">": a > b, ">=": a >= b}[op]


class Context:
    """What a filter is evaluated against.

    items: {item id: {FIELD: value}}; users: {user id: {FIELD: value}};
    user_events: [(item, event_type)] of the current user; user: the
    current user's metadata; current_item: the item's metadata.
    """

    def __init__(self, items=None, users=None, user_events=(), user=None,
                 current_item=None, values=None):
        self.items = items or {}
        self.users = users or {}
        self.user_events = list(user_events)
        self.user = user or {}
        self.current_item = current_item or {}
        self.values = values or {}


def _eval(c, ctx, entity, target):
    """Does condition c hold for entity (an item or user id)?"""
    if c[0] == "and":
        a = _eval(c[1], ctx, entity, target)
        return None if a is None else (a and _eval(c[2], ctx, entity,
                                                   target))
    if c[0] == "or":
        a = _eval(c[1], ctx, entity, target)
        b = _eval(c[2], ctx, entity, target)
        if a is None or b is None:
            return None
        return a or b
    _, ds, field, op, raw = c
    vals = _resolve(raw, ctx.values)
    if vals is None:
        return None  # parameter not given: this part does not apply
    if ds == "INTERACTIONS":
        if field != "EVENT_TYPE":
            return False
        hit = any(i == entity and ("*" in vals or et in vals)
                  for i, et in ctx.user_events)
        return hit if op == "IN" else not hit
    if ds == "CURRENTUSER":
        return _match(ctx.user.get(field), op, vals)
    if ds == "CURRENTITEM":
        return _match(ctx.current_item.get(field), op, vals)
    table = ctx.users if target == "UserID" else ctx.items
    return _match((table.get(entity) or {}).get(field), op, vals)


def apply(clauses, candidates, ctx):
    """Filter candidate ids with the clauses."""
    out = list(candidates)
    for cl in clauses:
        if cl["if"] is not None and not _eval(cl["if"], ctx, None,
                                              cl["target"]):
            continue
        keep = []
        for e in out:
            r = _eval(cl["where"], ctx, e, cl["target"])
            if r is None:
                keep.append(e)
            elif cl["action"] == "INCLUDE" and r:
                keep.append(e)
            elif cl["action"] == "EXCLUDE" and not r:
                keep.append(e)
        out = keep
    return out
