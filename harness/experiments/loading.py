"""Loading experiments from YAML files and from the presets shipped with the package.

Every problem becomes a :class:`ConfigError` whose message is one line:
``<file>:<line>: <field path>: <what is wrong>``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.experiments.config import ExperimentConfig
from harness.experiments.yaml_lines import ConfigError, LineIndex, child_node, load_yaml_with_lines

PRESET_PACKAGE = "harness.experiments.presets"


def preset_names() -> list[str]:
    """Names of the shipped presets (``bots``, ``advgamebench``, ``smoke``…), sorted."""
    files = resources.files(PRESET_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def _describe(err: dict[str, Any], index: LineIndex, source: str) -> str:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    # Keep the parts that exist in the document (pydantic adds union tags that do not), plus a final
    # missing key so "field required" names the field.
    shown: list[str] = []
    node = index.root
    for i, part in enumerate(loc):
        child = child_node(node, part) if node is not None else None
        if child is not None:
            node = child
            shown.append(str(part))
        elif i == len(loc) - 1 and isinstance(part, str) and not part[:1].isupper() and "[" not in part:
            shown.append(part)
    line = index.line_of(loc)
    where = f"{source}:{line}" if line is not None else source
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    field = ".".join(shown) or "(top level)"
    extra = ""
    if err.get("type") == "extra_forbidden":
        msg = "unknown field"
    elif err.get("type") in ("missing",):
        msg = "field required"
    elif "input" in err and err.get("type", "").endswith("_type"):
        extra = f" (got {err['input']!r})"
    return f"{where}: {field}: {msg}{extra}"


def parse_experiment(text: str, source: str, *, default_name: str | None = None) -> ExperimentConfig:
    """Validate YAML text as an experiment.

    Args:
        text: The YAML document.
        source: Name used in error messages.
        default_name: ``name`` to use when the document has none (a file's stem).

    Raises:
        ConfigError: Syntax or validation error, as one line naming the field and line.
    """
    data, index = load_yaml_with_lines(text, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:{index.line_of(()) or 1}: an experiment must be a YAML mapping")
    if default_name is not None and "name" not in data:
        data = {"name": default_name, **data}
    try:
        return ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        more = (
            f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        )
        raise ConfigError(_describe(dict(errors[0]), index, source) + more) from None


def load_experiment_file(path: str | Path) -> ExperimentConfig:
    """Load and validate an experiment file.

    Raises:
        ConfigError: Unreadable or binary file, YAML syntax error or invalid experiment.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{p} is not a text file (byte {exc.start} is not UTF-8); an experiment file holds YAML"
        ) from None
    return parse_experiment(text, str(p), default_name=p.stem)


def load_preset(name: str) -> ExperimentConfig:
    """Load a shipped preset by name.

    Raises:
        ConfigError: Unknown preset (the message lists the known ones).
    """
    known = preset_names()
    if name not in known:
        raise ConfigError(f"unknown preset {name!r}; known: {', '.join(known)}")
    text = resources.files(PRESET_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_experiment(text, f"preset:{name}", default_name=name)


def load_experiment(spec: str) -> ExperimentConfig:
    """A preset name or a path to a YAML file (anything ending in .yaml/.yml or naming a file)."""
    if spec.endswith((".yaml", ".yml")) or Path(spec).exists() or "/" in spec:
        return load_experiment_file(spec)
    return load_preset(spec)
