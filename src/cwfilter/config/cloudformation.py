"""CloudFormation templates (JSON or YAML): loading with the short-form intrinsic tags mapped
as cfn-flip maps them, the one resolver of the intrinsics that resolve offline, and the YAML
writer of generated templates (so that no module outside ``config`` needs PyYAML)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from .errors import ConfigError
from .limits import check_shape, check_yaml_node
from .model import DEFAULT_ACCOUNT, DEFAULT_REGION, Unresolved

# Tags that keep their name as the key (cfn-flip's UNCONVERTED_SUFFIXES); every other ``!Tag``
# becomes ``Fn::Tag``.
_UNPREFIXED = ("Ref", "Condition")


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags: ``!Ref x`` → ``{"Ref": "x"}``, ``!Condition c``
    → ``{"Condition": "c"}``, ``!GetAtt a.b`` → ``{"Fn::GetAtt": ["a", "b"]}``, any other
    ``!Name v`` → ``{"Fn::Name": v}``."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = suffix if suffix in _UNPREFIXED else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kind
        raise ConfigError(f"bad tag !{suffix}")
    return {key: value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(text: str, path: str | None = None) -> dict[str, Any]:
    """A CloudFormation template from JSON or YAML text, short-form tags mapped (parsed, not
    resolved); ``path`` names the file in errors. A ``ConfigError`` unless it has Resources."""
    where = f"{path}: " if path else ""
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else _load_yaml(text, where)
    except (json.JSONDecodeError, yaml.YAMLError, ValueError) as exc:  # a bad date is a ValueError
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"{where}not a valid JSON or YAML template: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}values nested too deeply to read") from None
    check_shape(doc, where)
    if not isinstance(doc, dict) or not isinstance(doc.get("Resources"), dict):
        raise ConfigError(f"{where}not a CloudFormation template: no Resources section")
    return doc


def _load_yaml(text: str, where: str) -> Any:
    """A YAML template, its composed nodes checked (``check_yaml_node``: nesting, aliases
    expanded) before any value is built."""
    loader = _TemplateLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_yaml_node(node, where)
        _no_duplicate_keys(node, where)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _no_duplicate_keys(node: yaml.Node, where: str) -> None:
    """A YAML template in which a mapping repeats a key is refused, with the line of the repeated
    key (PyYAML would keep the last one silently). ``aws cloudformation deploy`` refuses it too
    ("found duplicate key", brentley/container-demo#11), the console's Designer as well; which
    value the service would keep is not documented."""
    stack, seen_nodes = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in keys:
                        raise ConfigError(f"{where}line {key.start_mark.line + 1}: duplicate key {key.value!r} "
                                          "(aws cloudformation deploy refuses a template that repeats a key)")  # fmt: skip
                    keys.add(key.value)
                stack.extend((key, value))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


class TemplateResolver:
    """The one resolver of a template's intrinsic functions that can be resolved offline: Ref to
    a parameter (given or default), a pseudo parameter (region, account), a log group (its name)
    or an SNS topic (its ARN); Fn::GetAtt of log groups, topics and trails; Fn::Sub and
    Fn::Join over those. Anything else becomes an ``Unresolved`` value that names what could
    not be resolved: reported where it is needed, never guessed."""

    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any] | None = None,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = DEFAULT_ACCOUNT,
    ) -> None:
        self.values: dict[str, Any] = {"AWS::Region": region, "AWS::AccountId": account_id, "AWS::Partition": "aws",
                                       "AWS::URLSuffix": "amazonaws.com"}  # fmt: skip
        for name, spec in (template.get("Parameters") or {}).items():
            if isinstance(spec, Mapping) and "Default" in spec:
                self.values[name] = spec["Default"]
        self.values.update(parameters or {})
        self.attributes: dict[str, dict[str, str]] = {}
        resources = template.get("Resources")
        for logical_id, resource in resources.items() if isinstance(resources, Mapping) else []:
            if isinstance(resource, Mapping):
                self._declare(logical_id, str(resource.get("Type")), resource.get("Properties"), region, account_id)

    def _declare(self, logical_id: str, kind: str, props: Any, region: str, account: str) -> None:
        given = props.get(_NAMES.get(kind, "")) if isinstance(props, Mapping) else None
        name = given if isinstance(given, str) else logical_id
        if kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account}:{name}"
            self.values.setdefault(logical_id, arn)
            self.attributes[logical_id] = {"TopicArn": arn, "TopicName": name}
        elif kind == "AWS::Logs::LogGroup":
            self.values.setdefault(logical_id, name)
            self.attributes[logical_id] = {"Arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*"}
        elif kind == "AWS::CloudTrail::Trail":
            self.values.setdefault(logical_id, name)
            self.attributes[logical_id] = {"Arn": f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"}

    def __call__(self, value: Any, where: str) -> Any:
        if isinstance(value, Mapping):
            if len(value) == 1:
                ((fn, arg),) = value.items()
                if fn == "Ref" or fn == "Condition" or fn.startswith("Fn::"):
                    return self._intrinsic(fn, arg, where, value)
            return {k: self(v, where) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v, where) for v in value]
        return value

    def _intrinsic(self, fn: str, arg: Any, where: str, raw: Any) -> Any:
        if fn == "Ref":
            if isinstance(arg, str) and arg in self.values:
                return self.values[arg]
            return Unresolved(f"{where}: cannot resolve Ref {arg!r} offline; pass it as a parameter", raw)
        if fn == "Fn::GetAtt":
            target = arg if isinstance(arg, list) else str(arg).split(".", 1)
            found = self._get_att(".".join(map(str, target)))
            return found if found is not None else Unresolved(f"{where}: cannot resolve Fn::GetAtt "
                                                              f"{'.'.join(map(str, target))} offline", raw)  # fmt: skip
        if fn == "Fn::Sub":
            return self._sub(arg, where, raw)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            parts = [self(v, where) for v in arg[1]]
            bad = next((p for p in parts if isinstance(p, Unresolved)), None)
            return bad if bad is not None else str(arg[0]).join(map(str, parts))
        return Unresolved(f"{where}: cannot resolve {fn} offline", raw)

    def _get_att(self, name: str) -> str | None:
        logical_id, _, attribute = name.partition(".")
        return self.attributes.get(logical_id, {}).get(attribute)

    def _sub(self, arg: Any, where: str, raw: Any) -> Any:
        text, local = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
        names = {**self.values, **{k: self(v, where) for k, v in (local or {}).items()}}
        missing: list[str] = []

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            found = names.get(name, self._get_att(name) if "." in name else None)
            if found is None or isinstance(found, Unresolved):
                missing.append(name)
                return m.group(0)
            return str(found)

        out = re.sub(r"\$\{([^}]+)\}", sub, str(text))
        if missing:
            return Unresolved(f"{where}: cannot resolve ${{{missing[0]}}} in Fn::Sub offline", raw)
        return out


_NAMES = {"AWS::SNS::Topic": "TopicName", "AWS::Logs::LogGroup": "LogGroupName", "AWS::CloudTrail::Trail": "TrailName"}


def resources_of_type(doc: Mapping[str, Any], resource_type: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(logical ID, Properties) of every resource of ``resource_type`` in a loaded template."""
    resources = doc.get("Resources")
    if not isinstance(resources, Mapping):
        raise ConfigError("not a CloudFormation template: no Resources section")
    for logical_id, resource in resources.items():
        if isinstance(resource, Mapping) and resource.get("Type") == resource_type:
            yield logical_id, resource.get("Properties") or {}


def dump_template(doc: Mapping[str, Any]) -> str:
    """A template as YAML text (long-form intrinsics, keys in the given order)."""
    return yaml.safe_dump(dict(doc), sort_keys=False, width=1000)
