"""Evaluate HCL expressions (python-hcl2's Lark tree) to plain Python values.

Only what Terraform itself could know before ``plan`` is computed: literals, variables, locals, string templates,
operators, conditionals, ``for`` expressions, splats and the pure built-in functions. Anything else (an attribute
known only after apply, a function we do not model) becomes :class:`~policies.model.Unknown` carrying the reason
and the references it depends on; it propagates through every operation so a check that reads it fails closed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import hcl2
from lark import Token, Tree

from policies.model import Unknown, find_unknown


class EvalError(ValueError):
    """The expression is malformed (not merely unknown)."""


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", lambda m: _ESCAPES.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), text)


def _children(tree: Tree) -> list:
    """Meaningful children: trees other than newlines/comments (tokens kept)."""
    return [c for c in tree.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]


def _subtrees(tree: Tree) -> list[Tree]:
    return [c for c in _children(tree) if isinstance(c, Tree)]


def parse_expression(text: str) -> Tree:
    """Parse a standalone expression (used for template interpolations in heredocs)."""
    tree = hcl2.parses_to_tree(f"__expr = {text}\n")
    attr = _subtrees(tree.children[0])[0]
    return _subtrees(attr)[-1]


class Scope:
    """Name resolution for one evaluation: ``resolve(root_name)`` returns the value of a root identifier."""

    def __init__(self, resolver: Callable[[str], Any], loop: Mapping[str, Any] | None = None, base_dir: Path = Path()):
        self.resolver = resolver
        self.loop = dict(loop or {})
        self.base_dir = base_dir

    def child(self, **loop: Any) -> Scope:
        merged = {**self.loop, **loop}
        return Scope(self.resolver, merged, self.base_dir)

    def resolve(self, name: str) -> Any:
        if name in self.loop:
            return self.loop[name]
        return self.resolver(name)


class Ref:
    """An object whose attributes are looked up lazily (resources, modules, ``var``, ``local``)."""

    def __init__(self, label: str, getter: Callable[[str], Any], keys: Callable[[], list[str]] | None = None):
        self.label = label
        self.getter = getter
        self.keys_fn = keys

    def get(self, name: str) -> Any:
        return self.getter(name)

    def materialise(self) -> Any:
        if self.keys_fn is None:
            return Unknown(f"{self.label} cannot be used as a whole value", (self.label,))
        return {k: materialise(self.getter(k)) for k in self.keys_fn()}


def materialise(value: Any) -> Any:
    if isinstance(value, Ref):
        return value.materialise()
    if isinstance(value, dict):
        return {k: materialise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialise(v) for v in value]
    return value


def _unknown_in(*values: Any) -> Unknown | None:
    found = None
    for v in values:
        u = find_unknown(materialise(v)) if not isinstance(v, Unknown) else v
        if u is not None:
            found = u if found is None else found.merge(u)
    return found


class Evaluator:
    def __init__(self, scope: Scope):
        self.scope = scope

    def with_scope(self, scope: Scope) -> Evaluator:
        return Evaluator(scope)

    # ------------------------------------------------------------------ entry

    def eval(self, node: Any) -> Any:
        return materialise(self.ev(node))

    def ev(self, node: Any) -> Any:
        if isinstance(node, Token):
            raise EvalError(f"unexpected token {node!r}")
        kind = node.data
        method = getattr(self, f"_{kind}", None)
        if method is None:
            raise EvalError(f"unsupported HCL construct {kind!r}")
        return method(node)

    # ------------------------------------------------------------------ terms

    def _expr_term(self, node: Tree) -> Any:
        subs = _subtrees(node)
        return self.ev(subs[0])

    def _int_lit(self, node: Tree) -> Any:
        return int(node.children[0])

    def _float_lit(self, node: Tree) -> Any:
        return float(node.children[0])

    def _literal_value(self, node: Tree) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node: Tree) -> Any:
        return self.scope.resolve(str(node.children[0]))

    def _string(self, node: Tree) -> Any:
        parts = []
        for part in _subtrees(node):
            inner = part.children[0]
            if isinstance(inner, Token):
                if inner.type == "ESCAPED_INTERPOLATION" or inner.type == "ESCAPED_DIRECTIVE":
                    parts.append(str(inner)[1:])
                else:
                    parts.append(unescape(str(inner)))
            elif inner.data == "interpolation":
                parts.append(self.ev(_subtrees(inner)[0]))
            else:
                return Unknown("string template directives (%{...}) are not evaluated")
        return _concat(parts)

    def _template_string(self, node: Tree) -> Any:
        return unescape(str(node.children[0])[2:-2])

    def _heredoc_template(self, node: Tree, trim: bool = False) -> Any:
        text = str(node.children[0])
        first_nl = text.index("\n")
        body = text[first_nl + 1 :]
        body = body[: body.rstrip("\n").rfind("\n") + 1] if "\n" in body.rstrip("\n") else ""
        if trim:
            lines = body.split("\n")
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            cut = min(indents) if indents else 0
            body = "\n".join(ln[cut:] for ln in lines)
        return self.render_template(body)

    def _heredoc_template_trim(self, node: Tree) -> Any:
        return self._heredoc_template(node, trim=True)

    def render_template(self, text: str) -> Any:
        parts: list[Any] = []
        i = 0
        while i < len(text):
            j = text.find("${", i)
            k = text.find("%{", i)
            if k != -1 and (j == -1 or k < j) and not (k > 0 and text[k - 1] == "%"):
                return Unknown("template directives (%{...}) are not evaluated")
            if j == -1:
                parts.append(text[i:])
                break
            if j > 0 and text[j - 1] == "$":
                parts.append(text[i : j - 1] + "${")
                i = j + 2
                continue
            parts.append(text[i:j])
            depth, end = 0, j + 2
            while end < len(text):
                ch = text[end]
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    if depth == 0:
                        break
                    depth -= 1
                end += 1
            parts.append(self.ev(parse_expression(text[j + 2 : end])))
            i = end + 1
        return _concat(parts)

    def _tuple(self, node: Tree) -> Any:
        return [self.ev(c) for c in _subtrees(node)]

    def _object(self, node: Tree) -> Any:
        out: dict[str, Any] = {}
        for elem in _subtrees(node):
            key_node, value_node = _subtrees(elem)
            key_inner = _subtrees(key_node)[0] if _subtrees(key_node) else key_node
            key = self._object_key(key_inner)
            if isinstance(key, Unknown):
                return key
            out[str(key)] = self.ev(value_node)
        return out

    def _object_key(self, node: Any) -> Any:
        if isinstance(node, Tree) and node.data == "keyword":
            return str(node.children[0])
        if isinstance(node, Tree) and node.data == "expr_term":
            inner = _subtrees(node)
            if len(inner) == 1 and inner[0].data == "identifier":
                return str(inner[0].children[0])
        if isinstance(node, Tree) and node.data == "identifier":
            return str(node.children[0])
        value = self.ev(node)
        return value if isinstance(value, Unknown) else _to_str(value)

    # ------------------------------------------------------------------ operators

    def _conditional(self, node: Tree) -> Any:
        cond, yes, no = _subtrees(node)
        c = self.eval(cond)
        if isinstance(c, Unknown):
            return c
        return self.ev(yes) if c else self.ev(no)

    def _unary_op(self, node: Tree) -> Any:
        op = str(node.children[0])
        value = self.eval(_subtrees(node)[0])
        if isinstance(value, Unknown):
            return value
        return -value if op == "-" else not value

    def _binary_op(self, node: Tree) -> Any:
        left_node, term = _subtrees(node)
        op_node, right_node = _subtrees(term)
        op = str(op_node.children[0])
        left = self.eval(left_node)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(right_node)
        unknown = _unknown_in(left, right)
        if unknown is not None:
            return unknown
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "+": lambda a, b: a + b,
            "-": lambda a, b: a - b,
            "*": lambda a, b: a * b,
            "/": lambda a, b: a / b,
            "%": lambda a, b: a % b,
            "==": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
            "&&": lambda a, b: bool(a and b),
            "||": lambda a, b: bool(a or b),
        }
        if op in "+-*/%<=>=":
            left, right = _num(left), _num(right)
        return ops[op](left, right)

    # ------------------------------------------------------------------ access

    def _get_attr_expr_term(self, node: Tree) -> Any:
        base_node, attr = _subtrees(node)
        return get_attr(self.ev(base_node), _attr_name(attr))

    def _index_expr_term(self, node: Tree) -> Any:
        base_node, index = _subtrees(node)
        return get_index(self.ev(base_node), self._index_key(index))

    def _index_key(self, index: Tree) -> Any:
        if index.data == "short_index":
            return int(str(index.children[-1]))
        return self.eval(_subtrees(index)[0])

    def _attr_splat_expr_term(self, node: Tree) -> Any:
        return self._splat(node)

    def _full_splat_expr_term(self, node: Tree) -> Any:
        return self._splat(node)

    def _splat(self, node: Tree) -> Any:
        base_node, splat = _subtrees(node)
        base = materialise(self.ev(base_node))
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else list(base.values()) if isinstance(base, dict) else [base]
        out = []
        for item in items:
            value = item
            for step in _subtrees(splat):
                if step.data == "get_attr":
                    value = get_attr(value, _attr_name(step))
                else:
                    value = get_index(value, self._index_key(step))
            out.append(value)
        return out

    # ------------------------------------------------------------------ for expressions

    def _for_iter(self, intro: Tree):
        names = [str(c.children[0]) for c in _subtrees(intro) if c.data == "identifier"]
        collection_node = next(c for c in _subtrees(intro) if c.data != "identifier")
        collection = self.ev(collection_node)
        if isinstance(collection, Ref):
            collection = collection.materialise()
        if isinstance(collection, Unknown):
            return collection, []
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, list | tuple | set):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"cannot iterate over {type(collection).__name__}")
        scopes = []
        for key, value in pairs:
            binding = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            scopes.append(self.with_scope(self.scope.child(**binding)))
        return None, scopes

    def _for_tuple_expr(self, node: Tree) -> Any:
        subs = _subtrees(node)
        intro, value_node = subs[0], subs[1]
        cond = subs[2] if len(subs) > 2 else None
        unknown, scopes = self._for_iter(intro)
        if unknown is not None:
            return unknown
        out = []
        for ev in scopes:
            if cond is not None:
                keep = ev.eval(_subtrees(cond)[0])
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            out.append(ev.ev(value_node))
        return out

    def _for_object_expr(self, node: Tree) -> Any:
        subs = _subtrees(node)
        intro, key_node, value_node = subs[0], subs[1], subs[2]
        cond = subs[3] if len(subs) > 3 else None
        grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        unknown, scopes = self._for_iter(intro)
        if unknown is not None:
            return unknown
        out: dict[str, Any] = {}
        for ev in scopes:
            if cond is not None:
                keep = ev.eval(_subtrees(cond)[0])
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            key = ev.eval(key_node)
            if isinstance(key, Unknown):
                return key
            value = ev.ev(value_node)
            if grouping:
                out.setdefault(_to_str(key), []).append(value)
            else:
                out[_to_str(key)] = value
        return out

    # ------------------------------------------------------------------ functions

    def _function_call(self, node: Tree) -> Any:
        subs = _subtrees(node)
        names = [str(c.children[0]) for c in subs if c.data == "identifier"]
        name = names[-1]
        arg_trees = [c for c in subs if c.data == "arguments"]
        arg_nodes = _subtrees(arg_trees[0]) if arg_trees else []
        expand = arg_trees and any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arg_trees[0].children)
        if name in ("try", "can"):
            return self._try(name, arg_nodes)
        args = [self.eval(a) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            args.extend(last)
        fn = FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated by the policy gate")
        if name not in _UNKNOWN_TOLERANT:
            unknown = _unknown_in(*args)
            if unknown is not None:
                return unknown
        if None in args and name not in _NULL_TOLERANT:
            return Unknown(f"{name}() is called with null (a variable without a value?)")
        try:
            return fn(self, *args)
        except (TypeError, ValueError, KeyError, IndexError, OSError) as exc:
            raise EvalError(f"{name}(): {exc}") from None

    def _try(self, name: str, arg_nodes: list[Tree]) -> Any:
        for arg in arg_nodes:
            try:
                value = self.eval(arg)
            except (EvalError, KeyError, IndexError, TypeError, ValueError):
                if name == "can":
                    return False
                continue
            if isinstance(value, Unknown):
                return value
            return True if name == "can" else value
        if name == "can":
            return False
        raise EvalError("try(): no argument could be evaluated")


# ---------------------------------------------------------------------- helpers


def _attr_name(node: Tree) -> str:
    sub = _subtrees(node)
    return str(sub[0].children[0])


def get_attr(base: Any, name: str) -> Any:
    if isinstance(base, Unknown):
        return base
    if isinstance(base, Ref):
        return base.get(name)
    if isinstance(base, dict):
        if name not in base:
            raise EvalError(f"object has no attribute {name!r}")
        return base[name]
    if isinstance(base, list) and len(base) == 1 and isinstance(base[0], dict):
        return get_attr(base[0], name)
    raise EvalError(f"cannot read attribute {name!r} of {type(base).__name__}")


def get_index(base: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return key
    if isinstance(base, Unknown):
        return base
    if isinstance(base, Ref):
        return base.get(str(key))
    if isinstance(base, dict):
        if str(key) not in base:
            raise EvalError(f"no key {key!r}")
        return base[str(key)]
    if isinstance(base, list | tuple):
        return base[int(key)]
    raise EvalError(f"cannot index {type(base).__name__}")


def _to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        raise EvalError("null in a string template")
    if isinstance(value, dict | list):
        raise EvalError("a collection cannot be used in a string template")
    return str(value)


def _num(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return float(value)
    return value


def _concat(parts: list[Any]) -> Any:
    parts = [materialise(p) for p in parts]
    unknown = _unknown_in(*parts)
    if unknown is not None:
        return unknown
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]  # "${x}" keeps the type of x
    return "".join(_to_str(p) for p in parts)


def _go_replacement(template: str) -> str:
    """Go regexp replacement (``$1``, ``${1}``, ``${name}``) -> Python's (``\\g<1>``)."""
    escaped = template.replace("\\", "\\\\")
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: f"\\g<{m.group(1) or m.group(2)}>", escaped)


def _file(ev: Evaluator, path: str) -> str:
    full = Path(path) if os.path.isabs(path) else ev.scope.base_dir / path
    return full.read_text(encoding="utf-8")


def _filesha(ev: Evaluator, path: str, algo: str, b64: bool) -> Any:
    full = Path(path) if os.path.isabs(path) else ev.scope.base_dir / path
    if not full.exists():
        return Unknown(f"file {path} does not exist yet (it is built before plan)")
    digest = hashlib.new(algo, full.read_bytes())
    return base64.b64encode(digest.digest()).decode() if b64 else digest.hexdigest()


def _merge(ev: Evaluator, *maps: Any) -> Any:
    out: dict = {}
    for m in maps:
        if m:
            out.update(m)
    return out


def _flatten(ev: Evaluator, items: Any) -> list:
    out: list = []
    for item in items:
        if isinstance(item, list):
            out.extend(_flatten(ev, item))
        else:
            out.append(item)
    return out


def _format(ev: Evaluator, fmt: str, *args: Any) -> str:
    it = iter(args)

    def repl(m: re.Match) -> str:
        spec = m.group(0)
        if spec == "%%":
            return "%"
        value = next(it)
        if spec.endswith("v") or spec.endswith("s"):
            return _to_str(value) if not isinstance(value, dict | list) else json.dumps(value)
        if spec.endswith("q"):
            return json.dumps(value)
        return spec % value

    return re.sub(r"%%|%[-+ #0]*\d*(?:\.\d+)?[sdfvqxXeEgGbo]", repl, fmt)


def _lookup(ev: Evaluator, m: dict, key: str, *default: Any) -> Any:
    if key in m:
        return m[key]
    if default:
        return default[0]
    raise KeyError(key)


def _jsonencode(ev: Evaluator, value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _sensitive(ev: Evaluator, value: Any) -> Any:
    return value


def _coalesce(ev: Evaluator, *values: Any) -> Any:
    for v in values:
        if isinstance(v, Unknown):
            return v
        if v not in (None, ""):
            return v
    raise ValueError("no non-null argument")


def _to_set(ev: Evaluator, value: Any) -> list:
    seen: list = []
    for v in value:
        if v not in seen:
            seen.append(v)
    return sorted(seen, key=lambda x: json.dumps(x, sort_keys=True)) if all(isinstance(x, str) for x in seen) else seen


def _one(ev: Evaluator, value: Any) -> Any:
    if not value:
        return None
    if len(value) != 1:
        raise ValueError("one() needs at most one element")
    return value[0]


def _tostring(ev: Evaluator, v: Any) -> Any:
    return None if v is None else _to_str(v)


def _tonumber(ev: Evaluator, v: Any) -> Any:
    return None if v is None else _num(v)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": lambda ev, s: json.loads(s),
    "yamlencode": lambda ev, v: Unknown("yamlencode() is not evaluated by the policy gate"),
    "file": _file,
    "fileexists": lambda ev, p: (ev.scope.base_dir / p).exists(),
    "filebase64sha256": lambda ev, p: _filesha(ev, p, "sha256", True),
    "filesha256": lambda ev, p: _filesha(ev, p, "sha256", False),
    "filemd5": lambda ev, p: _filesha(ev, p, "md5", False),
    "fileset": lambda ev, d, pat: sorted(
        str(p.relative_to(ev.scope.base_dir / d)) for p in (ev.scope.base_dir / d).glob(pat) if p.is_file()
    ),
    "abspath": lambda ev, p: str((ev.scope.base_dir / p).resolve()),
    "basename": lambda ev, p: os.path.basename(p),
    "dirname": lambda ev, p: os.path.dirname(p),
    "pathexpand": lambda ev, p: os.path.expanduser(p),
    "format": _format,
    "formatlist": lambda ev, fmt, *lists: [_format(ev, fmt, *row) for row in zip(*lists, strict=False)],
    "join": lambda ev, sep, items: sep.join(_to_str(i) for i in items),
    "split": lambda ev, sep, s: s.split(sep),
    "replace": lambda ev, s, old, new: (
        re.sub(old[1:-1], _go_replacement(new), s)
        if len(old) > 1 and old.startswith("/") and old.endswith("/")
        else s.replace(old, new)
    ),
    "lower": lambda ev, s: s.lower(),
    "upper": lambda ev, s: s.upper(),
    "title": lambda ev, s: s.title(),
    "trimspace": lambda ev, s: s.strip(),
    "trim": lambda ev, s, cs: s.strip(cs),
    "trimprefix": lambda ev, s, p: s[len(p) :] if s.startswith(p) else s,
    "trimsuffix": lambda ev, s, p: s[: -len(p)] if p and s.endswith(p) else s,
    "startswith": lambda ev, s, p: s.startswith(p),
    "endswith": lambda ev, s, p: s.endswith(p),
    "substr": lambda ev, s, off, n: s[off : (off + n if n >= 0 else None)],
    "strcontains": lambda ev, s, sub: sub in s,
    "regex": lambda ev, pat, s: re.search(pat, s).group(0),
    "can_regex": lambda ev, pat, s: bool(re.search(pat, s)),
    "length": lambda ev, v: len(v),
    "keys": lambda ev, m: sorted(m.keys()),
    "values": lambda ev, m: [m[k] for k in sorted(m.keys())],
    "lookup": _lookup,
    "merge": _merge,
    "concat": lambda ev, *ls: [x for lst in ls for x in lst],
    "flatten": _flatten,
    "distinct": lambda ev, lst: [json.loads(x) for x in dict.fromkeys(json.dumps(x, sort_keys=True) for x in lst)],
    "compact": lambda ev, lst: [x for x in lst if x not in (None, "")],
    "contains": lambda ev, lst, v: v in lst,
    "element": lambda ev, lst, i: lst[i % len(lst)],
    "index": lambda ev, lst, v: lst.index(v),
    "slice": lambda ev, lst, a, b: lst[a:b],
    "reverse": lambda ev, lst: list(reversed(lst)),
    "sort": lambda ev, lst: sorted(lst),
    "range": lambda ev, *a: list(range(*[int(x) for x in a])),
    "zipmap": lambda ev, ks, vs: dict(zip(ks, vs, strict=True)),
    "setproduct": lambda ev, *ls: [list(t) for t in __import__("itertools").product(*ls)],
    "setunion": lambda ev, *ls: _to_set(ev, [x for lst in ls for x in lst]),
    "setintersection": lambda ev, first, *rest: [x for x in first if all(x in r for r in rest)],
    "setsubtract": lambda ev, a, b: [x for x in a if x not in b],
    "toset": _to_set,
    "tolist": lambda ev, v: list(v),
    "tomap": lambda ev, v: dict(v),
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": lambda ev, v: v if isinstance(v, bool) or v is None else v == "true",
    "max": lambda ev, *v: max(v),
    "min": lambda ev, *v: min(v),
    "abs": lambda ev, v: abs(v),
    "ceil": lambda ev, v: -(-v // 1),
    "floor": lambda ev, v: v // 1,
    "coalesce": _coalesce,
    "coalescelist": lambda ev, *ls: next((lst for lst in ls if lst), []),
    "one": _one,
    "alltrue": lambda ev, lst: all(lst),
    "anytrue": lambda ev, lst: any(lst),
    "sum": lambda ev, lst: sum(lst),
    "sensitive": _sensitive,
    "nonsensitive": _sensitive,
    "base64encode": lambda ev, s: base64.b64encode(s.encode()).decode(),
    "base64decode": lambda ev, s: base64.b64decode(s).decode(),
    "sha256": lambda ev, s: hashlib.sha256(s.encode()).hexdigest(),
    "md5": lambda ev, s: hashlib.md5(s.encode()).hexdigest(),
    "urlencode": lambda ev, s: __import__("urllib.parse").parse.quote(s, safe=""),
}
_UNKNOWN_TOLERANT = {"coalesce"}
_NULL_TOLERANT = {
    "coalesce",
    "merge",
    "concat",
    "compact",
    "jsonencode",
    "tostring",
    "tonumber",
    "lookup",
    "one",
    "sensitive",
    "nonsensitive",
    "format",
    "coalescelist",
    "tobool",
    "contains",
}
