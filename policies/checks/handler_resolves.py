"""HANDLER-RESOLVES: each function's handler names a module and function in the artifact; the runtime is supported.

The artifact is ``dist/handler.zip`` when it exists (``lake build`` makes it before the plan in CI); an
HCL-only run before any build reads the source tree (``handler/app.py``) instead, which is what the zip is
built from.
"""

import ast
import functools
import zipfile
from pathlib import Path

from policies.checks.base import Check
from policies.model import Unknown


def _module_source(module: str, artifact: Path | None, source_root: Path) -> tuple[str | None, str]:
    stamp = artifact.stat().st_mtime_ns if artifact is not None and artifact.is_file() else None
    return _read_module_source(module, artifact, source_root, stamp)


@functools.cache
def _read_module_source(
    module: str, artifact: Path | None, source_root: Path, _stamp: int | None
) -> tuple[str | None, str]:
    rel = module.replace(".", "/")
    candidates = (f"{rel}.py", f"{rel}/__init__.py")
    if artifact is not None and artifact.is_file():
        try:
            with zipfile.ZipFile(artifact) as zf:
                names = set(zf.namelist())
                for c in candidates:
                    if c in names:
                        return zf.read(c).decode("utf-8"), f"{artifact}:{c}"
        except zipfile.BadZipFile:
            return None, f"{artifact} is not a zip file"
        return None, f"{artifact} has no {candidates[0]}"
    for c in candidates:
        path = source_root / c
        if path.is_file():
            return path.read_text(encoding="utf-8"), str(path)
    return None, f"no {candidates[0]} under {source_root} (and no built artifact)"


@functools.cache
def defines(source: str, name: str) -> bool:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
        if isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


def run(ctx):
    artifact, source_root = Path(ctx.options.artifact), Path(ctx.options.handler_source)
    runtimes = set(ctx.options.supported_runtimes)
    for layer in ctx.model.of_type("aws_lambda_layer_version"):
        compatible = layer.get("compatible_runtimes")
        if isinstance(compatible, list) and compatible:
            runtimes = set(compatible)
    for fn in ctx.functions:
        handler, runtime = fn.get("handler"), fn.get("runtime")
        if isinstance(handler, Unknown) or isinstance(runtime, Unknown):
            yield CHECK.finding(ctx, fn.address, "handler or runtime cannot be decided before apply")
            continue
        if runtime not in runtimes:
            yield CHECK.finding(
                ctx, fn.address, f"runtime {runtime!r} is not one the layer supports ({sorted(runtimes)})"
            )
        if not isinstance(handler, str) or "." not in handler:
            yield CHECK.finding(ctx, fn.address, f"handler {handler!r} is not <module>.<function>")
            continue
        module, func = handler.rsplit(".", 1)
        source, where = _module_source(module, artifact, source_root)
        if source is None:
            yield CHECK.finding(
                ctx, fn.address, f"handler {handler}: module {module} not found ({where}): Runtime.ImportModuleError"
            )
            continue
        try:
            ok = defines(source, func)
        except SyntaxError as exc:
            yield CHECK.finding(ctx, fn.address, f"handler module {where} does not parse: {exc.msg} line {exc.lineno}")
            continue
        if not ok:
            yield CHECK.finding(
                ctx, fn.address, f"handler {handler}: {where} defines no {func}(): Runtime.HandlerNotFound"
            )


CHECK = Check(
    id="HANDLER-RESOLVES",
    severity="critical",
    group="Contracts hold end to end",
    title="Each function's handler exists in the artifact and its runtime is supported",
    rationale="The seed's Runtime.HandlerNotFound: a handler string that names nothing deploys fine and fails on every event.",
    fix='Set handler = "handler.app.lambda_handler" and runtime = "python3.12" (the layer\'s runtime), and rebuild dist/handler.zip with `lake build`.',
    run=run,
)
