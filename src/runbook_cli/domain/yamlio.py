"""Strict YAML: what a hand-edited front matter or config file may contain, and a stable dump.

Reading follows YAML 1.2's core types only: `true`/`false` are booleans but `no`, `on` stay
strings, `12:30` is not 750, timestamps stay strings. Duplicate keys and aliases are refused
(last-wins silently loses data; an alias bomb would hang), so a reader never guesses.
Writing keeps key order and quotes any string a YAML 1.1 reader could misread.
Text in the shape the dumper writes is read by `yamlfast` (the same values, a fraction of the
cost); PyYAML reads, and judges, everything else.
"""

from __future__ import annotations

import yaml

from runbook_cli.domain import yamlfast

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class YamlError(ValueError):
    """The text is not YAML we accept; the message says where."""


class _StrictResolver(yaml.resolver.BaseResolver):
    pass


_StrictResolver.add_implicit_resolver("tag:yaml.org,2002:null", yamlfast.NULL, [*"~nN", ""])
_StrictResolver.add_implicit_resolver("tag:yaml.org,2002:bool", yamlfast.BOOL, list("tTfF"))
_StrictResolver.add_implicit_resolver("tag:yaml.org,2002:int", yamlfast.INT, list("-+0123456789"))


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
    yaml_implicit_resolvers = _StrictResolver.yaml_implicit_resolvers

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                key = key_node.value
                if key in seen:
                    raise YamlError(
                        f"line {key_node.start_mark.line + 1}: the key {key!r} appears twice"
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:merge", None)


class _AliasRefusingLoader(_StrictLoader):
    """Refuses a node reached twice (an alias) before building it again, so a bomb fails at once.
    Only needed, and only paid for, when the text has a '*' at all."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            mark = node.start_mark
            raise YamlError(f"line {mark.line + 1}: YAML aliases (*name) are not allowed")
        return super().construct_object(node, deep=deep)


def load(text: str) -> object:
    """Parse one YAML document strictly; raise YamlError with a line number on anything else."""
    value = yamlfast.read(text)
    return strict_load(text) if value is yamlfast.UNSURE else value


def strict_load(text: str) -> object:
    """`load` through PyYAML only (what the fast reader must agree with)."""
    try:
        loader = _AliasRefusingLoader if "*" in text else _StrictLoader
        return yaml.load(text, Loader=loader)
    except YamlError:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise YamlError(f"{where}{error.problem or error}") from None
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as error:
        raise YamlError(str(error).splitlines()[0] if str(error) else "not valid YAML") from None


def dump(data: dict) -> str:
    """Block style, keys in the given order, unicode kept, no line wrapping."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )
