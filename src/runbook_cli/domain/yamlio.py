"""Strict YAML: what a hand-edited front matter or config file may contain, and a stable dump.

Reading follows YAML 1.2's core types only: `true`/`false` are booleans but `no`, `on` stay
strings, `12:30` is not 750, timestamps stay strings. Duplicate keys and aliases are refused
(last-wins silently loses data; an alias bomb would hang), so a reader never guesses.
Writing keeps key order and quotes any string a YAML 1.1 reader could misread.
Text in the shape the dumper writes is read by `yamlfast` (the same values, a fraction of the
cost); PyYAML reads, and judges, everything else. PyYAML is imported only then, or to dump
(importing it costs about 20 ms, a command that only reads tool-written files never pays it).
"""

from __future__ import annotations

from functools import cache

from runbook_cli.domain import yamlfast


class YamlError(ValueError):
    """The text is not YAML we accept; the message says where."""


def load(text: str) -> object:
    """Parse one YAML document strictly; raise YamlError with a line number on anything else."""
    value = yamlfast.read(text)
    return strict_load(text) if value is yamlfast.UNSURE else value


def strict_load(text: str) -> object:
    """`load` through PyYAML only (what the fast reader must agree with)."""
    import yaml  # see the module docstring

    strict, alias_refusing = _loaders()
    try:
        return yaml.load(text, Loader=alias_refusing if "*" in text else strict)
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
    import yaml  # see the module docstring

    return yaml.dump(
        data,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )


@cache
def _loaders() -> tuple[type, type]:
    """PyYAML's (C) safe loader with the core types only and duplicate keys refused, and the
    same refusing aliases (only needed, and only paid for, when the text has a '*' at all)."""
    import yaml  # see the module docstring

    class Resolver(yaml.resolver.BaseResolver):
        pass

    Resolver.add_implicit_resolver("tag:yaml.org,2002:null", yamlfast.NULL, [*"~nN", ""])
    Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", yamlfast.BOOL, list("tTfF"))
    Resolver.add_implicit_resolver("tag:yaml.org,2002:int", yamlfast.INT, list("-+0123456789"))

    class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        yaml_implicit_resolvers = Resolver.yaml_implicit_resolvers

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

    StrictLoader.add_constructor("tag:yaml.org,2002:merge", None)

    class AliasRefusingLoader(StrictLoader):
        """Refuses a node reached twice (an alias) before building it again, so a bomb fails
        at once."""

        def construct_object(self, node, deep=False):
            if node in self.constructed_objects or node in self.recursive_objects:
                mark = node.start_mark
                raise YamlError(f"line {mark.line + 1}: YAML aliases (*name) are not allowed")
            return super().construct_object(node, deep=deep)

    return StrictLoader, AliasRefusingLoader
