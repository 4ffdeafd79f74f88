"""Plain data across the jail's wall: a strict JSON encoding, its decoder and the matchers.

Runs on both sides. Inside the jail (this text is part of the grading drivers' program) it turns
what a submission returned into JSON, accepting only exact built-in types: ``None``, ``bool``,
``int``, ``float``, ``str``, ``bytes``, ``list``, ``tuple``, ``dict`` with ``str`` keys, ``set`` and
``frozenset``. Subclasses are refused (``type(x) is int``, never ``isinstance``), so no custom
``__eq__``, ``__str__`` or ``__hash__`` survives: what crosses is text, and the trusted side
rebuilds built-in values from it with ``json.loads``. Outside the jail (``sandbox.grading``) the
same module decodes that text and compares it with the expected values.

The JSON is ordinary JSON for ``None``/``bool``/``int``/``float``/``str``/``list``/``dict``; the
rest is tagged with a one-key object: ``{"$bytes": "<hex>"}``, ``{"$tuple": [...]}``,
``{"$set": [...]}``, ``{"$float": "nan" | "inf" | "-inf"}`` and ``{"$dict": [[key, value], ...]}``
for a dict with a key starting with ``$``. Expected values (written by the task's author, never by
a submission) may also hold matchers: ``$approx``, ``$startswith``, ``$contains``, ``$not``,
``$any`` and ``$exact``; a submission's reply is decoded with matchers refused.
"""

import json as _plain_json
import math as _plain_math

MAX_VALUE_BYTES = 1024 * 1024  # one encoded value
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_INT_BITS = 8192


class NotPlain(ValueError):
    """A value that may not cross the wall (a subclass, an object, too big or too deep)."""


class Matcher:
    """An expected value that is not one plain value (only in expectations, never in replies)."""

    tag = ""

    def __init__(self, *arguments):
        self.arguments = arguments

    def __repr__(self):
        return f"{self.tag}({', '.join(map(repr, self.arguments))})"


class Approx(Matcher):
    tag = "approx"  # (value, rel_tol, abs_tol): math.isclose


class StartsWith(Matcher):
    tag = "startswith"  # (prefix,): a str starting with it


class Contains(Matcher):
    tag = "contains"  # (texts...): a str holding each


class Not(Matcher):
    tag = "not"  # (value,): anything that does not match value


class Anything(Matcher):
    tag = "any"


class Exact(Matcher):
    tag = "exact"  # (value,): equal and of exactly the same types throughout (1 is not 1.0)


_MATCHERS = {cls.tag: cls for cls in (Approx, StartsWith, Contains, Not, Anything, Exact)}


def encode(value, *, hook=None, allow_matchers=False):
    """JSON-ready built-ins for `value`, or NotPlain. `hook(value)` may encode extra types (the
    author's side only: references to earlier results)."""
    budget = [MAX_NODES]

    def walk(x, depth):
        budget[0] -= 1
        if budget[0] < 0:
            raise NotPlain(f"the value has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise NotPlain(f"the value is nested more than {MAX_DEPTH} levels deep")
        kind = type(x)
        if x is None or kind is bool or kind is str:
            return x
        handler = _ENCODERS.get(kind)
        if handler is not None:
            return handler(x, lambda item: walk(item, depth + 1))
        if allow_matchers and isinstance(x, Matcher) and kind in _MATCHERS.values():
            return {"$" + x.tag: [walk(item, depth + 1) for item in x.arguments]}
        done = hook(x) if hook is not None else None
        if done is not None:
            return done
        raise NotPlain(
            f"a {kind.__module__}.{kind.__qualname__} is not plain data (only exact int, float, str, bytes, "
            "bool, None, list, tuple, set and dict with str keys cross the sandbox's wall)"
        )

    return walk(value, 0)


def _encode_int(x, walk):
    if x.bit_length() > MAX_INT_BITS:
        raise NotPlain(f"the integer has more than {MAX_INT_BITS} bits")
    return x


def _encode_float(x, walk):
    if _plain_math.isfinite(x):
        return x
    return {"$float": "nan" if x != x else ("inf" if x > 0 else "-inf")}


def _encode_set(x, walk):
    items = [walk(item) for item in x]
    return {"$set": sorted(items, key=lambda item: _plain_json.dumps(item, sort_keys=True))}


def _encode_dict(x, walk):
    for key in x:
        if type(key) is not str:
            raise NotPlain(f"a dict key must be a str, not {type(key).__qualname__}")
    if any(key.startswith("$") for key in x):
        return {"$dict": [[key, walk(item)] for key, item in x.items()]}
    return {key: walk(item) for key, item in x.items()}


_ENCODERS = {
    int: _encode_int,
    float: _encode_float,
    bytes: lambda x, walk: {"$bytes": x.hex()},
    list: lambda x, walk: [walk(item) for item in x],
    tuple: lambda x, walk: {"$tuple": [walk(item) for item in x]},
    set: _encode_set,
    frozenset: _encode_set,
    dict: _encode_dict,
}


def dumps(value, **options) -> str:
    """The JSON text for `value` (see encode), at most MAX_VALUE_BYTES long."""
    text = _plain_json.dumps(encode(value, **options), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    if len(text) > MAX_VALUE_BYTES:
        raise NotPlain(f"the value is larger than {MAX_VALUE_BYTES // 1024} KiB once written down")
    return text


def _no_constants(name):
    raise ValueError(f"{name} is not allowed in plain JSON")


def loads_json(text):
    """json.loads without NaN/Infinity literals (tagged values carry those)."""
    return _plain_json.loads(text, parse_constant=_no_constants)


def decode(data, *, matchers=False, ref=None):
    """Built-in values from JSON-decoded `data` (ValueError if malformed). With `matchers`,
    expected-value matchers are allowed; `ref(n)` resolves ``{"$ref": n}`` (the jail's side)."""

    def walk(x, depth):
        if depth > MAX_DEPTH + 2:
            raise ValueError("nested too deep")
        kind = type(x)
        if x is None or kind in (bool, int, float, str):
            return x
        if kind is list:
            return [walk(item, depth + 1) for item in x]
        if kind is not dict:
            raise ValueError(f"unexpected {kind.__name__}")
        tagged = [key for key in x if key.startswith("$")]
        if not tagged:
            return {key: walk(item, depth + 1) for key, item in x.items()}
        if len(x) != 1:
            raise ValueError("a tagged value must be the only key of its object")
        return _decode_tagged(tagged[0][1:], x[tagged[0]], lambda item: walk(item, depth + 1), matchers, ref)

    return walk(data, 0)


def _decode_dict(body, walk):
    pairs = {}
    for pair in body:
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
            raise ValueError("a $dict holds [str, value] pairs")
        pairs[pair[0]] = walk(pair[1])
    return pairs


def _decode_set(body, walk):
    try:
        return frozenset(walk(item) for item in body)
    except TypeError:
        raise ValueError("a set of unhashable values") from None


def _decode_tagged(tag, body, walk, matchers, ref):
    kind = type(body)
    if tag == "bytes" and kind is str:
        return bytes.fromhex(body)
    if tag == "float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "ref" and ref is not None and kind is int:
        return ref(body)
    if kind is list:
        if tag == "tuple":
            return tuple(walk(item) for item in body)
        if tag == "set":
            return _decode_set(body, walk)
        if tag == "dict":
            return _decode_dict(body, walk)
        if matchers and tag in _MATCHERS:
            return _MATCHERS[tag](*(walk(item) for item in body))
    raise ValueError(f"unknown or malformed tag ${tag}")


def _number(x):
    return type(x) in (int, float)


def mismatch(expected, actual, exact=False):
    """None when `actual` (decoded plain data) matches `expected`, else a short reason.

    Equality is Python's for built-ins, except that a bool equals only a bool (True is not 1) and,
    under Exact, numbers must be of the same type too. Lists and tuples are different types."""
    if isinstance(expected, Matcher):
        return _matcher_mismatch(expected, actual, exact)
    if _number(expected) and _number(actual):
        if (exact and type(expected) is not type(actual)) or expected != actual:
            return f"expected {expected!r}, got {actual!r}"
        return None
    sets = (set, frozenset)
    if type(expected) is not type(actual) and not (type(expected) in sets and type(actual) in sets):
        return f"expected {_short(expected)}, got {_short(actual)}"
    if type(expected) in (list, tuple):
        if len(expected) != len(actual):
            return f"expected {len(expected)} items, got {len(actual)}: {_short(actual)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            reason = mismatch(want, got, exact)
            if reason:
                return f"at [{index}]: {reason}"
        return None
    if type(expected) is dict:
        if set(expected) != set(actual):
            return f"expected the keys {sorted(expected)}, got {sorted(actual)}"
        for key in expected:
            reason = mismatch(expected[key], actual[key], exact)
            if reason:
                return f"at [{key!r}]: {reason}"
        return None
    if expected != actual:
        return f"expected {_short(expected)}, got {_short(actual)}"
    return None


def _matcher_mismatch(expected, actual, exact):
    kind, args = type(expected), expected.arguments
    if kind is Anything:
        return None
    if kind is Exact:
        return mismatch(args[0], actual, exact=True)
    if kind is Not:
        return None if mismatch(args[0], actual, exact) else f"{_short(actual)} must not be {_short(args[0])}"
    if kind is Approx:
        value, rel, absolute = args
        if not _number(actual):
            return f"expected a number close to {value!r}, got {_short(actual)}"
        if not _plain_math.isclose(actual, value, rel_tol=rel, abs_tol=absolute):
            return f"expected about {value!r}, got {actual!r}"
        return None
    if kind is StartsWith:
        if type(actual) is not str or not actual.startswith(args[0]):
            return f"expected a str starting with {args[0]!r}, got {_short(actual)}"
        return None
    if kind is Contains:
        if type(actual) is not str or not all(part in actual for part in args):
            return f"expected a str containing {', '.join(map(repr, args))}, got {_short(actual)}"
        return None
    return f"unknown matcher {expected!r}"


def _short(value, limit=200):
    text = repr(value)
    if type(value) in (set, frozenset):
        text = "{" + ", ".join(map(repr, sorted(value, key=repr))) + "}" if value else "set()"
    return text if len(text) <= limit else text[: limit - 3] + "..."
