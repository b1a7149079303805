"""Terraform: HCL read by python-hcl2, ``.tf.json`` and ``terraform show -json`` (state or plan)
as resource records, with the one Terraform resolver applied.

Values are taken as written. The resolver replaces a whole-value reference to a variable's
default or a local (``var.x``, ``local.y``), and a reference to an attribute of the file's own
resources that is known offline (``aws_sns_topic.t.arn``, ``aws_cloudwatch_log_group.g.name``,
``.id``...) also inside a string (``"${aws_cloudwatch_log_group.g.arn}:*"``); any other
expression (a ternary, a function call, an unknown reference) is kept as ``${...}`` text and
reported where it is needed, never guessed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError
from .limits import check_shape, check_size, load_json
from .model import DEFAULT_ACCOUNT, DEFAULT_REGION

_BLOCK_MARK = "__is_block__"
_EXPRESSION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")  # an interpolation or directive, not ``$${`` / ``%%{``
_WHOLE_REFERENCE = re.compile(r"\$\{(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\}")
_RESOURCE_REFERENCE = re.compile(r"\$\{\s*(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+(?:\[0\]\.[a-z_]+)?)\s*\}")
# A heredoc as python-hcl2 keeps it: ``<<EOT`` or ``<<-EOT`` (indented), lines, the marker.
_HEREDOC = re.compile(r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(?:(.*)\n)?[ \t]*\2", re.S)


@dataclass(frozen=True)
class TerraformResource:
    """One ``resource "type" "name" { ... }`` block: its attributes, nested blocks as lists of
    dicts, strings unquoted; an expression stays ``${...}`` text."""

    type: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    line: int | None = None

    @property
    def address(self) -> str:
        """``type.name``, as Terraform and references name the resource."""
        return f"{self.type}.{self.name}"


def load_terraform(
    text: str, path: str | None = None, *, region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT
) -> list[TerraformResource]:
    """The resources of a Terraform file's text, in file order: HCL, ``.tf.json`` or
    ``terraform show -json`` output (text starting with ``{``); ``path`` names the file in
    errors. References are resolved (``region`` and ``account_id`` make the ARNs of the file's
    own resources)."""
    doc = _parse(text, path)
    shown = doc.get("planned_values") or doc.get("values")
    if isinstance(shown, dict) and "resource" not in doc:
        records = list(_shown(shown, doc))
        names: dict[str, Any] = {}
    else:
        names = _named_values(doc)
        records = []
        for block in _as_list(doc.get("resource")):
            for rtype, by_name in _items(block):
                for name, body in _items(by_name):
                    for one in _as_list(body):
                        line = _line(text, rtype, name)
                        records.append(TerraformResource(rtype, name, _resolve(_clean(one), names), line))
    names = _attributes(records, region, account_id)
    return [TerraformResource(r.type, r.name, _resolve(r.attributes, names), r.line) for r in records]


def _line(text: str, rtype: str, name: str) -> int | None:
    """The line of a resource's block (HCL) or of its name (JSON)."""
    for pattern in (rf"resource\s+\"{re.escape(rtype)}\"\s+\"{re.escape(name)}\"", rf"\"{re.escape(name)}\"\s*:"):
        m = re.search(pattern, text)
        if m:
            return text.count("\n", 0, m.start()) + 1
    return None


def _shown(values: dict[str, Any], doc: dict[str, Any]) -> list[TerraformResource]:
    """Resources of ``terraform show -json``; a value unknown until apply is replaced by the
    reference the configuration gives for it (so it resolves like HCL)."""
    refs = {}
    for r in ((doc.get("configuration") or {}).get("root_module") or {}).get("resources") or []:
        refs[r.get("address")] = {k: v.get("references") for k, v in (r.get("expressions") or {}).items()
                                  if isinstance(v, dict) and v.get("references")}  # fmt: skip
    out, modules = [], [values.get("root_module") or {}]
    while modules:
        module = modules.pop()
        modules.extend(module.get("child_modules") or [])
        for r in module.get("resources") or []:
            attrs = dict(r.get("values") or {})
            for key, found in refs.get(r.get("address"), {}).items():
                if attrs.get(key) is None and found:
                    attrs[key] = "${" + found[0] + "}" + (":*" if key == "cloud_watch_logs_group_arn" else "")
            out.append(TerraformResource(r.get("type", ""), r.get("name", ""), attrs))
    return out


def _attributes(resources: list[TerraformResource], region: str, account: str) -> dict[str, Any]:
    """What references to the file's own resources resolve to, where known offline."""
    values: dict[str, Any] = {}
    for r in resources:
        a, ref = r.attributes, r.address
        if not isinstance(a, Mapping):
            continue
        if r.type == "aws_cloudwatch_log_group":
            name = a.get("name") or r.name
            values.update({f"{ref}.name": name, f"{ref}.id": name,
                           f"{ref}.arn": f"arn:aws:logs:{region}:{account}:log-group:{name}"})  # fmt: skip
        elif r.type == "aws_sns_topic":
            name = a.get("name") or r.name
            arn = a.get("arn") or f"arn:aws:sns:{region}:{account}:{name}"
            values.update({f"{ref}.arn": arn, f"{ref}.id": arn, f"{ref}.name": name})
        elif r.type == "aws_cloudtrail":
            name = a.get("name") or r.name
            values.update({f"{ref}.name": name, f"{ref}.id": name,
                           f"{ref}.arn": f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"})  # fmt: skip
        elif r.type == "aws_cloudwatch_log_metric_filter":
            values[f"{ref}.id"] = values[f"{ref}.name"] = a.get("name") or r.name
            blocks = a.get("metric_transformation")
            first = blocks[0] if isinstance(blocks, list) and blocks else blocks
            if isinstance(first, Mapping):  # metric_transformation[0].name / .namespace
                values.update({f"{ref}.metric_transformation[0].{k}": first.get(k) for k in ("name", "namespace")})
        elif r.type == "aws_cloudwatch_metric_alarm":
            name = a.get("alarm_name") or r.name
            values.update({f"{ref}.id": name, f"{ref}.alarm_name": name,
                           f"{ref}.arn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"})  # fmt: skip
    return {k: v for k, v in values.items() if isinstance(v, str) and not _EXPRESSION.search(v)}


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
    """The one Terraform resolver: ``value`` with the references ``names`` knows replaced (a
    whole-value ``var.x``/``local.y`` by its value, a resource attribute also inside a string)."""
    if isinstance(value, Mapping):
        return {k: _resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, names) for v in value]
    if isinstance(value, str) and "${" in value:
        m = _WHOLE_REFERENCE.fullmatch(value)
        if m and f"{m.group(1)}.{m.group(2)}" in names:
            return names[f"{m.group(1)}.{m.group(2)}"]
        value = _RESOURCE_REFERENCE.sub(lambda m: str(names.get(".".join(m.groups()), m.group(0))), value)
        if not _EXPRESSION.search(value):
            return value.replace("$${", "${").replace("%%{", "%{")
    return value


def is_expression(value: Any) -> bool:
    """Whether a loaded value is (or holds) an expression that was not resolved offline."""
    return isinstance(value, str) and _EXPRESSION.search(value) is not None
