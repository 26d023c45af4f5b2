"""Reading YAML while remembering the line of every key, so errors can point at it."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

Location = tuple  # ("statements", 3, "title")
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: about ten times faster


@dataclass
class Source:
    path: str  # as shown in messages
    data: object
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """The line of the deepest part of `location` that exists in the file."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line:
                return line
        return 1


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def read_yaml(path: Path, shown_as: str) -> Source:
    """Parse one YAML file. Raises YamlError with a line number for syntax errors, duplicate keys
    and files that are not UTF-8 text."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlError(1, f"the file is not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        node = yaml.compose(text, Loader=Loader)
        data = yaml.load(text, Loader=Loader)  # noqa: S506 (a safe loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise YamlError(mark.line + 1 if mark else 1, f"not valid YAML: {error.problem or error.context}") from None
    except yaml.reader.ReaderError as error:  # a control character, which YAML does not allow in a file
        line = text.count("\n", 0, error.position) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)  # libyaml gives the code
        raise YamlError(line, f"not valid YAML: the control character with code {code} is not allowed; remove it") from None
    except yaml.YAMLError as error:
        raise YamlError(1, f"not valid YAML: {error}") from None
    source = Source(shown_as, data)
    if node is not None:
        _record_lines(node, (), source.lines)
    return source


def _record_lines(node, location, lines):
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise YamlError(key_node.start_mark.line + 1, f"the key '{key}' appears twice")
            seen.add(key)
            lines[location + (key,)] = key_node.start_mark.line + 1
            _record_lines(value_node, location + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _record_lines(child, location + (index,), lines)
