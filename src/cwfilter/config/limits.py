"""Bounds on what a configuration file may cost to read: its size, how deeply its values nest,
and how many values YAML aliases may expand it to ("billion laughs": 787 bytes that expand to
a billion strings). A file beyond them is a ``ConfigError`` naming it (and the line, where
known), never minutes of work, gigabytes or a ``RecursionError``.

AWS's own limits are far below these: a CloudFormation template is at most 1 MB, and a
PutMetricFilter or PutMetricAlarm request a few KB."""

from __future__ import annotations

import json
from typing import Any

import yaml

from .errors import ConfigError

MAX_CONFIG_BYTES = 4 << 20
MAX_DEPTH = 64  # nested objects and lists; CloudFormation's deepest intrinsics use about 10
MAX_VALUES = 1_000_000  # values in a document, YAML aliases expanded


def check_size(name: str, size: int) -> None:
    """A ``ConfigError`` for a file of more than ``MAX_CONFIG_BYTES``."""
    if size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{name}: {size:,} bytes, more than the {MAX_CONFIG_BYTES:,} a configuration file may have")


def load_json(text: str, where: str, kind: str = "JSON") -> Any:
    """A configuration file's JSON document, its shape checked; ``where`` (``"path: "``)
    and ``kind`` (``"Terraform JSON"``...) name it in the ``ConfigError``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}invalid {kind}: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{where}values nested too deeply to read") from None
    check_shape(doc, where)
    return doc


def check_shape(value: Any, where: str) -> None:
    """A ``ConfigError`` naming ``where`` for a loaded document nested more than ``MAX_DEPTH``
    deep or holding more than ``MAX_VALUES`` values (shared ones counted each time)."""
    stack = [(value, 1)]
    count = 0
    while stack:
        v, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise ConfigError(f"{where}more than {MAX_VALUES:,} values")
        if isinstance(v, (dict, list)):
            if depth > MAX_DEPTH:
                raise ConfigError(f"{where}values nested more than {MAX_DEPTH} deep")
            stack.extend((child, depth + 1) for child in (v.values() if isinstance(v, dict) else v))


def check_yaml_node(node: yaml.Node, where: str) -> None:
    """``check_shape`` on a composed YAML document before anything is built from it: aliases
    are counted as expanded (each node's expanded size once, so a billion laughs is refused
    in microseconds), with the line of the node that goes too deep."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    while stack:
        n, depth, done = stack.pop()
        children = _children(n)
        if done:
            sizes[id(n)] = min(MAX_VALUES + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if id(n) in sizes:
            continue
        if depth > MAX_DEPTH:
            raise ConfigError(f"{where}line {n.start_mark.line + 1}: values nested more than {MAX_DEPTH} deep")
        stack.append((n, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)
    if sizes[id(node)] > MAX_VALUES:
        raise ConfigError(f"{where}more than {MAX_VALUES:,} values once its YAML aliases are expanded")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
