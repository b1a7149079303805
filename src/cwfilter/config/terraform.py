"""Terraform configurations: HCL read by python-hcl2 (the ``terraform`` extra) or ``.tf.json``,
as resource records, and ``aws_cloudwatch_log_metric_filter`` resources → metric filters.

Values are taken as written. A whole-value reference to a variable's default or a local
(``var.x``, ``local.y``) is resolved; any other expression (a ternary, a function call, a
reference to another resource, an interpolation inside a string) is reported where it is
needed, never guessed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..metric import MetricFilter
from .errors import ConfigError, required
from .limits import check_shape, check_size, load_json

_BLOCK_MARK = "__is_block__"
_EXPRESSION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")  # an interpolation or directive, not ``$${`` / ``%%{``
_WHOLE_REFERENCE = re.compile(r"\$\{(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\}")
# A heredoc as python-hcl2 keeps it: ``<<EOT`` or ``<<-EOT`` (indented), lines, the marker.
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(?:(.*)\n)?[ \t]*\2", re.S)


@dataclass(frozen=True)
class TerraformResource:
    """One ``resource "type" "name" { ... }`` block: its attributes, nested blocks as lists of
    dicts, strings unquoted; an expression stays ``${...}`` text."""

    type: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)


def load_terraform(text: str, path: str | None = None) -> list[TerraformResource]:
    """The resources of a Terraform file's text, HCL or JSON (``.tf.json``: text starting with
    ``{``), in file order; ``path`` names the file in errors. Whole-value ``var.x`` / ``local.y``
    references to literal values are resolved."""
    doc = _parse(text, path)
    names = _named_values(doc)
    records = []
    for block in _as_list(doc.get("resource")):
        for rtype, by_name in _items(block):
            for name, body in _items(by_name):
                for one in _as_list(body):
                    attributes = _resolve(_clean(one), names)
                    records.append(TerraformResource(rtype, name, attributes))
    return records


def _parse(text: str, path: str | None) -> dict[str, Any]:
    where = f"{path}: " if path else ""
    if text.lstrip().startswith("{") or (path is not None and path.endswith(".tf.json")):  # by name, as terraform
        doc = load_json(text, where, "Terraform JSON")
        if not isinstance(doc, dict):
            raise ConfigError(f"{where}Terraform JSON must be an object")
        return doc
    try:
        import hcl2
    except ImportError:
        raise ConfigError(f"{where}Terraform HCL needs python-hcl2: pip install 'cwfilter[terraform]'") from None
    # Heredocs kept as written and read here: python-hcl2 escapes the quotes of an indented one.
    options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=True, strip_string_quotes=True)
    check_size(path or "Terraform text", len(text.encode("utf-8", errors="surrogatepass")))
    try:
        doc = hcl2.loads(text, serialization_options=options)
    except RecursionError:
        raise ConfigError(f"{where}values nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - lark and python-hcl2 raise many types; all mean "not HCL"
        raise ConfigError(f"{where}cannot read HCL: {str(exc).splitlines()[0] if str(exc) else exc!r}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}not a Terraform configuration")
    check_shape(doc, where)
    return doc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _items(value: Any) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in value.items() if k != _BLOCK_MARK] if isinstance(value, Mapping) else []


def _clean(value: Any) -> Any:
    """``value`` without python-hcl2's block marks, and ``$${`` / ``%%{`` escapes undone."""
    if isinstance(value, Mapping):
        return {k: _clean(v) for k, v in value.items() if k != _BLOCK_MARK}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        value = _heredoc(value)
        if not _EXPRESSION.search(value):
            return value.replace("$${", "${").replace("%%{", "%{")
    return value


def _heredoc(value: str) -> str:
    """A heredoc's value as Terraform gives it: its lines, each ending with a newline; for
    ``<<-`` with the indentation common to its non-blank lines removed. Other text unchanged."""
    m = _HEREDOC.fullmatch(value)
    if m is None:
        return value
    lines = (m.group(3) or "").replace("\r\n", "\n").split("\n") if m.group(3) is not None else []
    if m.group(1):
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    return "".join(line + "\n" for line in lines)


def _named_values(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``var.x`` → the default of variable ``x``, ``local.y`` → local ``y``, where literal."""
    names: dict[str, Any] = {}
    for block in _as_list(doc.get("variable")):
        for name, body in _items(block):
            for one in _as_list(body):
                if isinstance(one, Mapping) and "default" in one:
                    names[f"var.{name}"] = _clean(one["default"])
    for block in _as_list(doc.get("locals")):
        for name, value in _items(block):
            names[f"local.{name}"] = _clean(value)
    return {k: v for k, v in names.items() if not (isinstance(v, str) and _EXPRESSION.search(v))}


def _resolve(value: Any, names: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping):
        return {k: _resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, names) for v in value]
    if isinstance(value, str):
        m = _WHOLE_REFERENCE.fullmatch(value)
        if m and f"{m.group(1)}.{m.group(2)}" in names:
            return names[f"{m.group(1)}.{m.group(2)}"]
    return value


def is_expression(value: Any) -> bool:
    """Whether a loaded value is (or holds) an expression that was not resolved offline."""
    return isinstance(value, str) and _EXPRESSION.search(value) is not None


def from_terraform(source: Mapping[str, Any] | str, path: str | None = None) -> dict[str, MetricFilter]:
    """Every ``aws_cloudwatch_log_metric_filter`` resource, by resource name, from Terraform
    JSON (``.tf.json``) or HCL text, or an already loaded JSON document."""
    text = source if isinstance(source, str) else json.dumps(source)
    where = f"{path}: " if path else ""
    try:
        out = {
            r.name: _metric_filter(r)
            for r in load_terraform(text, path)
            if r.type == "aws_cloudwatch_log_metric_filter"
        }
    except ConfigError as exc:
        if where and not str(exc).startswith(where):
            raise ConfigError(f"{where}{exc}") from None
        raise
    if not out:
        raise ConfigError(f"{where}no aws_cloudwatch_log_metric_filter resource found")
    return out


def _metric_filter(resource: TerraformResource) -> MetricFilter:
    body, where = resource.attributes, f"aws_cloudwatch_log_metric_filter.{resource.name}"
    t = required(body, "metric_transformation", where)
    if isinstance(t, list):
        if len(t) != 1:
            raise ConfigError(f"{where}: exactly one metric_transformation block is allowed")
        t = t[0]
    if not isinstance(t, Mapping):
        raise ConfigError(f"{where}: metric_transformation must be a block, not {t!r:.40}")
    for key, value in [("pattern", body.get("pattern")), *t.items()]:
        if is_expression(value) or (isinstance(value, Mapping) and any(map(is_expression, value.values()))):
            raise ConfigError(
                f"{where}: {key} uses an expression or interpolation ({value!r}) that cannot be resolved offline"
            )
    default = t.get("default_value")
    name = body.get("name")
    return MetricFilter(
        required(body, "pattern", where),
        metric_name=required(t, "name", where),
        namespace=required(t, "namespace", where),
        value=str(required(t, "value", where)),
        default_value=None if default in (None, "") else float(default),
        dimensions=t.get("dimensions"),
        unit=t.get("unit"),
        name=name if isinstance(name, str) and not is_expression(name) else resource.name,
        log_group_name=body.get("log_group_name"),
    )
