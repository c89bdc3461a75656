"""HCL (a Terraform root and the modules it calls through ``source``) -> the resource model.

Variables take the root's defaults (and ``terraform.tfvars`` / ``*.auto.tfvars`` / explicit overrides), locals
and module inputs are resolved lazily, ``count`` / ``for_each`` / ``dynamic`` are expanded, and an attribute
that only exists after apply (an ARN with a random id) is an :class:`Unknown` that names the resource it
depends on. Addresses are the ones ``terraform plan`` prints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from lark import Tree
from lark.exceptions import LarkError

from policies.errors import PolicyInputError
from policies.iam.document import render_policy_document
from policies.loaders.hcl_eval import EvalError, Evaluator, Ref, Scope, _subtrees, materialise
from policies.model import Model, Resource, Unknown

META_ARGS = {"count", "for_each", "depends_on", "provider", "providers", "lifecycle", "source", "version"}


@dataclass
class Block:
    type: str
    labels: list[str]
    attrs: dict[str, Tree]
    blocks: list[Block]
    file: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ModuleSource:
    dir: Path
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, tuple[Tree, Block]] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    data: list[Block] = field(default_factory=list)
    modules: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)


def _label(node: Tree) -> str:
    if node.data == "identifier":
        return str(node.children[0])
    if node.data == "string":
        return "".join(str(p.children[0]) for p in _subtrees(node))
    return str(node.children[0])


def parse_body(body: Tree, file: Path) -> tuple[dict[str, Tree], list[Block]]:
    attrs: dict[str, Tree] = {}
    blocks: list[Block] = []
    for item in _subtrees(body):
        if item.data == "attribute":
            subs = _subtrees(item)
            attrs[_label(subs[0])] = subs[-1]
        elif item.data == "block":
            subs = _subtrees(item)
            inner = subs[-1]
            names = [_label(s) for s in subs[:-1]]
            a, b = parse_body(inner, file)
            blocks.append(Block(names[0], names[1:], a, b, file, item.meta.line if not item.meta.empty else 0))
    return attrs, blocks


_TREES: dict[str, Tree] = {}  # parsed files by content: copies of infra/ (the mutation suite) parse once


def parse_file(path: Path) -> list[Block]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PolicyInputError(f"{path}: not valid HCL: not UTF-8 text") from None
    key = hashlib.sha256(text.encode()).hexdigest()
    tree = _TREES.get(key)
    if tree is None:
        try:
            tree = hcl2.parses_to_tree(text)
        except LarkError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PolicyInputError(f"{path}: not valid HCL: {first}") from None
        _TREES[key] = tree
    _, blocks = parse_body(tree.children[0], path)
    return blocks


def parse_module(directory: Path) -> ModuleSource:
    directory = Path(directory)
    if not directory.is_dir():
        raise PolicyInputError(f"{directory}: no such module directory")
    files = sorted(directory.glob("*.tf"))
    if not files:
        raise PolicyInputError(f"{directory}: no .tf files (is this a Terraform module?)")
    mod = ModuleSource(directory)
    for f in files:
        for b in parse_file(f):
            if b.type == "variable":
                mod.variables[b.labels[0]] = b
            elif b.type == "locals":
                for k, v in b.attrs.items():
                    mod.locals[k] = (v, b)
            elif b.type == "resource":
                mod.resources.append(b)
            elif b.type == "data":
                mod.data.append(b)
            elif b.type == "module":
                mod.modules[b.labels[0]] = b
            elif b.type == "output":
                mod.outputs[b.labels[0]] = b
    return mod


def _key_repr(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


class _Cycle(Exception):
    pass


class ModuleInstance:
    """One instance of a module (root or child) with lazily evaluated variables, locals, resources, outputs."""

    def __init__(self, address: str, source: ModuleSource, inputs: Callable[[str], Any], root_dir: Path):
        self.address = address
        self.source = source
        self.inputs = inputs
        self.root_dir = root_dir
        self._memo: dict[tuple, Any] = {}
        self._busy: set[tuple] = set()
        self._children: dict[str, Any] = {}
        self.resource_blocks = {(b.labels[0], b.labels[1]): b for b in source.resources}
        self.data_blocks = {(b.labels[0], b.labels[1]): b for b in source.data}
        self.resource_types = {b.labels[0] for b in source.resources}

    # ---------------------------------------------------------------- plumbing

    def prefix(self, local: str) -> str:
        return f"{self.address}.{local}" if self.address else local

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key in self._memo:
            return self._memo[key]
        if key in self._busy:
            return Unknown(f"{self.prefix('.'.join(map(str, key)))} refers to itself")
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        self._memo[key] = value
        return value

    def scope(self, **loop: Any) -> Scope:
        return Scope(self.resolve, loop, base_dir=self.root_dir)

    def evaluator(self, **loop: Any) -> Evaluator:
        return Evaluator(self.scope(**loop))

    def evaluate(self, tree: Tree, where: str, **loop: Any) -> Any:
        try:
            return self.evaluator(**loop).eval(tree)
        except EvalError as exc:
            raise PolicyInputError(f"{where}: {exc}") from None
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            raise PolicyInputError(f"{where}: {exc}") from None

    # ---------------------------------------------------------------- names

    def resolve(self, name: str) -> Any:
        if name == "var":
            return Ref(self.prefix("var"), self.variable, lambda: list(self.source.variables))
        if name == "local":
            return Ref(self.prefix("local"), self.local, lambda: list(self.source.locals))
        if name == "path":
            return {"module": str(self.source.dir), "root": str(self.root_dir), "cwd": str(self.root_dir)}
        if name == "terraform":
            return {"workspace": "default"}
        if name == "module":
            return Ref(self.prefix("module"), self.module_value)
        if name == "data":
            return Ref(
                self.prefix("data"),
                lambda t: Ref(self.prefix(f"data.{t}"), lambda n: self.resource_value("data", t, n)),
            )
        if name in self.resource_types:
            return Ref(self.prefix(name), lambda n: self.resource_value("managed", name, n))
        if name in ("each", "count", "self"):
            raise EvalError(f"{name} is only valid inside a resource or module with count/for_each")
        raise EvalError(f"reference to undeclared {name!r}")

    def variable(self, name: str) -> Any:
        if name not in self.source.variables:
            raise EvalError(f"reference to undeclared input variable {name!r}")

        def compute() -> Any:
            supplied = self.inputs(name)
            if supplied is not _MISSING:
                return supplied
            block = self.source.variables[name]
            if "default" in block.attrs:
                return self.evaluate(block.attrs["default"], block.where)
            return Unknown(f"variable {self.prefix('var.' + name)} has no value (no default, not set)")

        return self.memo(("var", name), compute)

    def local(self, name: str) -> Any:
        if name not in self.source.locals:
            raise EvalError(f"reference to undeclared local value {name!r}")
        tree, block = self.source.locals[name]
        return self.memo(("local", name), lambda: self.evaluate(tree, block.where))

    # ---------------------------------------------------------------- resources

    def instance_keys(self, block: Block, kind: str) -> list[Any] | Unknown | None:
        """None (single instance), list of keys (count or for_each), or Unknown."""
        where = block.where
        if "for_each" in block.attrs:
            value = self.evaluate(block.attrs["for_each"], where)
            if isinstance(value, Unknown):
                return value
            if isinstance(value, dict):
                return [(k, v) for k, v in value.items()]
            return [(v, v) for v in value]
        if "count" in block.attrs:
            value = self.evaluate(block.attrs["count"], where)
            if isinstance(value, Unknown):
                return value
            return [(i, None) for i in range(int(value))]
        return None

    def resource_value(self, mode: str, rtype: str, name: str) -> Any:
        blocks = self.resource_blocks if mode == "managed" else self.data_blocks
        block = blocks.get((rtype, name))
        if block is None:
            raise EvalError(f"reference to undeclared {'data ' if mode == 'data' else ''}resource {rtype}.{name}")
        keys = self.instance_keys(block, mode)
        if isinstance(keys, Unknown):
            return keys
        if keys is None:
            return self.instance_ref(mode, block, None, None)
        if "count" in block.attrs:
            return [self.instance_ref(mode, block, k, v) for k, v in keys]
        return {str(k): self.instance_ref(mode, block, k, v) for k, v in keys}

    def address_of(self, mode: str, block: Block, key: Any) -> str:
        local = f"{'data.' if mode == 'data' else ''}{block.labels[0]}.{block.labels[1]}"
        if key is not None:
            local += _key_repr(key)
        return self.prefix(local)

    def loop_vars(self, block: Block, key: Any, value: Any) -> dict:
        if key is None:
            return {}
        if "count" in block.attrs:
            return {"count": {"index": key}}
        return {"each": {"key": key, "value": value}}

    def instance_ref(self, mode: str, block: Block, key: Any, value: Any) -> Ref:
        address = self.address_of(mode, block, key)

        def get(attr: str) -> Any:
            if attr in block.attrs and attr not in META_ARGS:
                return self.memo(
                    ("attr", address, attr),
                    lambda: self.evaluate(block.attrs[attr], block.where, **self.loop_vars(block, key, value)),
                )
            if mode == "data" and block.labels[0] == "aws_iam_policy_document" and attr in ("json", "minified_json"):
                return render_policy_document(materialise(self.instance_values(mode, block, key, value)))
            if any(b.type == attr or (b.type == "dynamic" and b.labels[0] == attr) for b in block.blocks):
                return self.instance_values(mode, block, key, value).get(attr)
            return self.memo(("derived", address, attr), lambda: derived_attribute(block.labels[0], attr, get, address))

        def keys() -> list[str]:
            names = [a for a in block.attrs if a not in META_ARGS]
            names += [b.labels[0] if b.type == "dynamic" else b.type for b in block.blocks]
            return list(dict.fromkeys(names + list(DERIVED.get(block.labels[0], {}))))

        return Ref(address, get, keys)

    def instance_values(self, mode: str, block: Block, key: Any, value: Any) -> dict:
        address = self.address_of(mode, block, key)
        return self.memo(
            ("values", address), lambda: self.block_values(block, self.loop_vars(block, key, value), address)
        )

    def block_values(self, block: Block, loop: dict, where_addr: str) -> dict:
        values: dict[str, Any] = {}
        for name, tree in block.attrs.items():
            if name in META_ARGS:
                continue
            values[name] = self.evaluate(tree, block.where, **loop)
        for sub in block.blocks:
            if sub.type in ("lifecycle", "provisioner", "connection", "precondition", "postcondition"):
                continue
            if sub.type == "dynamic":
                label = sub.labels[0]
                iterator = label
                if "iterator" in sub.attrs:
                    iterator = _iterator_name(sub.attrs["iterator"])
                coll = self.evaluate(sub.attrs["for_each"], sub.where, **loop)
                if isinstance(coll, Unknown):
                    values[label] = coll
                    continue
                items = coll.items() if isinstance(coll, dict) else enumerate(coll)
                if not isinstance(coll, dict):
                    items = [(v, v) for _, v in items]
                content = next((b for b in sub.blocks if b.type == "content"), None)
                out = values.setdefault(label, [])
                if isinstance(out, Unknown):
                    continue
                for k, v in items:
                    if content is not None:
                        out.append(self.block_values(content, {**loop, iterator: {"key": k, "value": v}}, where_addr))
            else:
                existing = values.setdefault(sub.type, [])
                if isinstance(existing, list):
                    existing.append(self.block_values(sub, loop, where_addr))
        return values

    # ---------------------------------------------------------------- modules

    def module_value(self, name: str) -> Any:
        if name not in self.source.modules:
            raise EvalError(f"reference to undeclared module {name!r}")
        instances = self.child_instances(name)
        if isinstance(instances, Unknown):
            return instances
        block = self.source.modules[name]
        refs = {k: Ref(child.address, child.output, lambda c=child: list(c.source.outputs)) for k, child in instances}
        if "for_each" in block.attrs:
            return refs
        if "count" in block.attrs:
            return list(refs.values())
        return refs[None]

    def child_instances(self, name: str) -> list[tuple[Any, ModuleInstance]] | Unknown:
        if name in self._children:
            return self._children[name]
        block = self.source.modules[name]
        if "source" not in block.attrs:
            raise PolicyInputError(f"{block.where}: module {name!r} has no source")
        src = self.evaluate(block.attrs["source"], block.where)
        if not isinstance(src, str) or not (src.startswith("./") or src.startswith("../")):
            raise PolicyInputError(
                f"{block.where}: module {name!r} source {src!r} is not a local path; the policy gate follows local modules only"
            )
        child_source = parse_module((self.source.dir / src).resolve())
        keys = self.instance_keys(block, "module")
        if isinstance(keys, Unknown):
            self._children[name] = keys
            return keys
        result = []
        for key, value in keys if keys is not None else [(None, None)]:
            address = self.prefix(f"module.{name}" + (_key_repr(key) if key is not None else ""))
            loop = self.loop_vars(block, key, value)

            def inputs(var: str, block: Block = block, loop: dict = loop) -> Any:
                if var in block.attrs and var not in META_ARGS:
                    return self.evaluate(block.attrs[var], block.where, **loop)
                return _MISSING

            result.append((key, ModuleInstance(address, child_source, inputs, self.root_dir)))
        self._children[name] = result
        return result

    def output(self, name: str) -> Any:
        block = self.source.outputs.get(name)
        if block is None:
            raise EvalError(f"module {self.address} has no output {name!r}")
        return self.memo(("output", name), lambda: self.evaluate(block.attrs["value"], block.where))

    # ---------------------------------------------------------------- model

    def collect(self, out: list[Resource], undecidable: list[tuple[str, str]]) -> None:
        for mode, blocks in (("managed", self.source.resources), ("data", self.source.data)):
            for block in blocks:
                keys = self.instance_keys(block, mode)
                if isinstance(keys, Unknown):
                    undecidable.append((self.address_of(mode, block, None), f"count/for_each unknown: {keys.reason}"))
                    continue
                for key, value in keys if keys is not None else [(None, None)]:
                    values = materialise(self.instance_values(mode, block, key, value))
                    rtype = block.labels[0]
                    for attr in DERIVED.get(rtype, {}):
                        if attr not in values:
                            values[attr] = materialise(self.instance_ref(mode, block, key, value).get(attr))
                    out.append(
                        Resource(
                            address=self.address_of(mode, block, key),
                            type=rtype,
                            name=block.labels[1],
                            values=values,
                            mode=mode,
                            module=self.address,
                            index=key,
                            source=block.where,
                        )
                    )
        for name in self.source.modules:
            instances = self.child_instances(name)
            if isinstance(instances, Unknown):
                undecidable.append((self.prefix(f"module.{name}"), f"count/for_each unknown: {instances.reason}"))
                continue
            for _, child in instances:
                child.collect(out, undecidable)


def _iterator_name(tree: Tree) -> str:
    node = tree
    while isinstance(node, Tree) and node.data != "identifier":
        node = _subtrees(node)[0]
    return str(node.children[0])


_MISSING = object()


def _arn_s3(get: Callable[[str], Any]) -> Any:
    bucket = get("bucket")
    return bucket if isinstance(bucket, Unknown) else f"arn:aws:s3:::{bucket}"


def _after_apply(address: str, attr: str) -> Unknown:
    return Unknown(f"{address}.{attr} is known only after apply", (f"{address}.{attr}",))


# Attributes Terraform computes that are nevertheless fixed by the arguments (so known before apply).
DERIVED: dict[str, dict[str, Callable[[Callable[[str], Any]], Any]]] = {
    "aws_s3_bucket": {"id": lambda g: g("bucket"), "arn": _arn_s3},
    "aws_iam_role": {"id": lambda g: g("name")},
    "aws_iam_policy": {},
    "aws_cloudwatch_log_group": {"id": lambda g: g("name")},
    "aws_lambda_function": {"id": lambda g: g("function_name")},
    "aws_glue_crawler": {"id": lambda g: g("name")},
    "aws_athena_workgroup": {"id": lambda g: g("name")},
    "aws_sqs_queue": {},
    "aws_partition": {"partition": lambda g: "aws", "dns_suffix": lambda g: "amazonaws.com"},
    # Read during plan from the credentials; before plan the gate uses a placeholder account and region, so the
    # ARNs built from them stay comparable with each other (the IAM checks only compare within one model).
    "aws_caller_identity": {"account_id": lambda g: PLACEHOLDER_ACCOUNT, "id": lambda g: PLACEHOLDER_ACCOUNT},
    "aws_region": {"name": lambda g: PLACEHOLDER_REGION, "region": lambda g: PLACEHOLDER_REGION},
}
PLACEHOLDER_ACCOUNT = "000000000000"
PLACEHOLDER_REGION = "us-east-1"


def derived_attribute(rtype: str, attr: str, get: Callable[[str], Any], address: str) -> Any:
    fn = DERIVED.get(rtype, {}).get(attr)
    if fn is not None:
        return fn(get)
    if rtype.startswith("aws_s3_bucket_") and attr == "id":
        return get("bucket")
    return _after_apply(address, attr)


class HclLoader:
    def __init__(self, root: Path, variables: dict[str, Any] | None = None, var_files: tuple[Path, ...] = ()):
        self.root = Path(root).resolve()
        self.overrides = dict(variables or {})
        self.var_files = tuple(Path(p) for p in var_files)

    def tfvars(self) -> dict[str, Any]:
        """Values from ``terraform.tfvars``, ``*.auto.tfvars`` and then each ``-var-file`` given, as Terraform
        reads them (a later file wins)."""
        found: dict[str, Any] = {}
        for path in [self.root / "terraform.tfvars", *sorted(self.root.glob("*.auto.tfvars")), *self.var_files]:
            if path.is_file():
                inst = ModuleInstance("", ModuleSource(self.root), lambda n: _MISSING, self.root)
                for b in [path]:
                    try:
                        tree = hcl2.parses_to_tree(b.read_text(encoding="utf-8"))
                    except LarkError as exc:
                        raise PolicyInputError(f"{b}: not valid HCL: {str(exc).splitlines()[0]}") from None
                    attrs, _ = parse_body(tree.children[0], b)
                    for k, v in attrs.items():
                        found[k] = inst.evaluate(v, str(b))
        return found

    def load(self) -> Model:
        source = parse_module(self.root)
        supplied = {**self.tfvars(), **self.overrides}
        root = ModuleInstance("", source, lambda n: supplied.get(n, _MISSING), self.root)
        resources: list[Resource] = []
        undecidable: list[tuple[str, str]] = []
        root.collect(resources, undecidable)
        for r in resources:
            if r.type == "aws_iam_policy_document" and r.mode == "data":
                r.values["json"] = render_policy_document(r.values)
        return Model(resources, origin="hcl", settings={"undecidable": undecidable, "root": str(self.root)})


def load_hcl(root: Path, variables: dict[str, Any] | None = None, var_files: tuple[Path, ...] = ()) -> Model:
    return HclLoader(root, variables, var_files).load()
