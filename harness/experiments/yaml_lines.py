"""YAML loading that remembers where every value came from, so config errors can name a line.

:func:`load_yaml_with_lines` returns the plain data plus a :class:`LineIndex`; :meth:`LineIndex.line_of`
maps a pydantic error location (``("pairing", "vs_panel", "panel", 2)``) back to the 1-based line of the
deepest YAML node it reaches. Location parts that are not keys or indices of the document (pydantic's
union / discriminator tags) are skipped, so tagged unions still resolve to the right line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from games.core.errors import UserError


class ConfigError(UserError):
    """An experiment file or preset that cannot be used; the message is one line naming field and line."""


@dataclass(frozen=True)
class LineIndex:
    """The composed YAML node tree of a document, used only to look up line numbers."""

    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node reached by following ``loc``; ``None`` for an empty document."""
        node = self.root
        if node is None:
            return None
        for part in loc:
            child = child_node(node, part)
            if child is not None:
                node = child
        return node.start_mark.line + 1


def child_node(node: yaml.Node, part: str | int) -> yaml.Node | None:
    """The value node under key or index ``part`` of ``node``, or ``None``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                found: yaml.Node = value_node
                return found
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item: yaml.Node = node.value[part]
        return item
    return None


def load_yaml_with_lines(text: str, source: str) -> tuple[Any, LineIndex]:
    """Parse ``text`` safely and return ``(data, line index)``.

    Args:
        text: The YAML document.
        source: How to name the document in error messages (a path or ``preset:<name>``).

    Raises:
        ConfigError: YAML syntax error (with its line) or more than one document.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{source}{line}: YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: YAML error: {' '.join(str(exc).split())}") from None
    return data, LineIndex(root)
