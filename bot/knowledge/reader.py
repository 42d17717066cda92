"""A bounded YAML reader: text in, plain data that remembers the line of every key and item.

Whatever a file holds, reading it costs at most what the limits allow: bytes are capped before parsing,
values and depth are counted as the parser streams (so an oversized file is refused before its tree is
built), and the tree is then measured as it would be once aliases are expanded (an alias bomb or an alias
inside its own anchor is refused). Every problem is a Problem with the line it is on.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problems import KnowledgeError, Problem

if TYPE_CHECKING:
    import yaml
else:

    class _Yaml:
        """PyYAML, imported the first time a file is read: an answer from a snapshot of the knowledge
        (bot/understanding/snapshot.py) reads no YAML, and need not pay for importing it."""

        def __getattr__(self, name: str):
            import yaml as module

            globals()["yaml"] = module
            return getattr(module, name)

    yaml = _Yaml()


# libyaml's composer, where PyYAML was built with it, is several times faster and keeps line marks.
@functools.cache
def _loader():
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# What any knowledge file may cost to load, whatever is in it (the packaged one: 28 KB, 1,700 values, 7 deep).
MAX_FILE_BYTES = 1024 * 1024
TOO_LARGE = "the file is larger than 1 MiB, the most a knowledge file may be"
MAX_VALUES = 50_000  # counted with every alias expanded, so an alias bomb stops here, not at a MemoryError
MAX_DEPTH = 50
# The examples file is data too, but larger by nature (4,055 messages: 400 KB, 10,000 values).
MAX_EXAMPLES_BYTES = 8 * 1024 * 1024
MAX_EXAMPLES_VALUES = 400_000


_STR_TAG = "tag:yaml.org,2002:str"


class Map(dict):
    line: int = 0
    key_lines: dict[str, int]


class List(list):
    line: int = 0
    item_lines: list[int]


def _to_data(
    node: yaml.Node, file: str, problems: list[Problem], constructor: yaml.constructor.SafeConstructor
):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = Map()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _to_data(key_node, file, problems, constructor)
            if not isinstance(key, (str, int, float, bool)):
                problems.append(
                    Problem(file, key_node.start_mark.line + 1, "mapping keys must be plain values")
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                problems.append(Problem(file, key_node.start_mark.line + 1, f"duplicate key '{key}'"))
                continue
            out[key] = _to_data(value_node, file, problems, constructor)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out_list = List()
        out_list.line = line
        out_list.item_lines = []
        for item in node.value:
            out_list.append(_to_data(item, file, problems, constructor))
            out_list.item_lines.append(item.start_mark.line + 1)
        return out_list
    if node.tag == _STR_TAG:
        return node.value  # most values are text: nothing to construct
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:  # a 5,000-digit number, an unknown !!tag
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(file, line, f"cannot read this value: {problem}"))
        return None


def _node(text: str, file: str, max_bytes: int, max_values: int) -> yaml.Node | None:
    """Text -> YAML node tree, within max_bytes, max_values and MAX_DEPTH, or KnowledgeError.

    The parser's events are counted as they stream, so an oversized file is refused before its tree is
    built; the tree is then measured as it would be once aliases are expanded (each shared node once,
    without recursion), which catches alias bombs and an alias inside its own anchor."""
    if len(text) > max_bytes:
        limit = f"{max_bytes // 1024 // 1024} MiB"
        raise KnowledgeError(
            [
                Problem(
                    file, 1, TOO_LARGE if max_bytes == MAX_FILE_BYTES else f"the file is larger than {limit}"
                )
            ]
        )
    try:
        values, level = 0, 0
        for event in yaml.parse(text, Loader=_loader()):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                level += 1
                if level > MAX_DEPTH:
                    raise _TooBig(_line(event), f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                level -= 1
            if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
                values += 1
                if values > max_values:
                    raise _TooBig(_line(event), f"the file has more than {max_values:,} values")
        node = yaml.compose(text, Loader=_loader())
    except _TooBig as exc:
        raise KnowledgeError([Problem(file, exc.line, exc.message)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeError([Problem(file, line, f"YAML syntax error: {problem}")]) from None
    if node is not None:
        _measure(node, file, max_values)
    return node


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


class _TooBig(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _measure(root: yaml.Node, file: str, max_values: int) -> None:
    """Refuse a tree whose alias-expanded size or depth passes the limits, or that contains itself."""
    size: dict[int, int] = {}  # collections only: a scalar counts 1 and nests 0
    height: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            continue
        if children_done:
            open_.discard(key)
            total, deepest = 1, 0
            for child in _children(node):
                if not isinstance(child, yaml.ScalarNode):
                    total += size[id(child)]
                    deepest = max(deepest, height[id(child)])
                else:
                    total += 1
            size[key], height[key] = total, deepest + 1
            line = node.start_mark.line + 1
            if total > max_values:
                raise KnowledgeError(
                    [Problem(file, line, f"this value expands to more than {max_values:,} values (aliases)")]
                )
            if deepest + 1 > MAX_DEPTH:
                raise KnowledgeError(
                    [Problem(file, line, f"this value nests more than {MAX_DEPTH} levels deep (aliases)")]
                )
            continue
        if key in size:
            continue  # measured already: an alias to it costs nothing more to measure
        if key in open_:
            raise KnowledgeError(
                [Problem(file, node.start_mark.line + 1, "an alias refers to the value that contains it")]
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if not isinstance(child, yaml.ScalarNode))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def line_of(container: Any, key: Any = None) -> int:
    if key is not None:
        if isinstance(container, Map):
            return container.key_lines.get(key, container.line)
        if isinstance(container, List) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
    return getattr(container, "line", 0)


def compose(text: str, file: str, problems: list[Problem], limits: tuple[int, int] | None = None) -> Any:
    """YAML text -> plain data that remembers its lines; None (the problem added to `problems`) if it does not
    parse or passes the limits (bytes, values): the knowledge file's by default."""
    try:
        node = _node(text, file, *(limits or (MAX_FILE_BYTES, MAX_VALUES)))
    except KnowledgeError as exc:
        problems += exc.problems
        return None
    if node is None:
        problems.append(Problem(file, 1, "the file is empty"))
        return None
    constructor = yaml.constructor.SafeConstructor()
    return _to_data(node, file, problems, constructor)


class Unreadable(Exception):
    """A file that cannot be opened or is not UTF-8; the message is the reason."""


def read_capped(path: Path, limit: int) -> str | None:
    """The file's text, None when it is larger than ``limit`` bytes (never more is read, whatever it holds),
    Unreadable when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
        return None if len(raw) > limit else raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Unreadable(
            exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        ) from None
