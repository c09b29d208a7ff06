"""Loading experiments from YAML files and from the presets shipped with the package.

Every problem becomes a :class:`ConfigError` whose message is one line:
``<file>:<line>: <field path>: <what is wrong>``.

A file with a ``sweep:`` block is a sweep (:mod:`harness.experiments.sweep`): :func:`load_sweep_experiment`
reads it (``stratagem sweep``); :func:`load_experiment` (``stratagem run``) refuses it with one line
rather than play only its base point.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from harness.experiments.config import ExperimentConfig
from harness.experiments.yaml_lines import ConfigError, LineIndex, child_node, load_yaml_with_lines

if TYPE_CHECKING:
    from harness.experiments.sweep import SweepSpec

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
        ConfigError: Syntax or validation error, as one line naming the field and line; a file with a
            ``sweep:`` block (play it with ``stratagem sweep``).
    """
    config, sweep = _parse(text, source, default_name)
    if sweep is not None:
        raise ConfigError(
            f"{source}:{_key_line(sweep[1], 'sweep')}: sweep: this experiment is a sweep;"
            f" play it with stratagem sweep {source}"
        )
    return config


def _key_line(index: LineIndex, key: str) -> int | None:
    """1-based line of top-level ``key`` itself (``line_of`` gives the line of its value)."""
    root = index.root
    if isinstance(root, yaml.MappingNode):
        for key_node, _ in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return index.line_of((key,))


def parse_sweep_experiment(
    text: str, source: str, *, default_name: str | None = None
) -> tuple[ExperimentConfig, SweepSpec | None]:
    """Validate YAML text as an experiment that may have a ``sweep:`` block (``None`` when it has none).

    Raises:
        ConfigError: As :func:`parse_experiment`, or a malformed ``sweep:`` block.
    """
    from harness.experiments.sweep import spec_from_yaml

    config, sweep = _parse(text, source, default_name)
    return config, (spec_from_yaml(sweep[0], sweep[1], source) if sweep is not None else None)


def _parse(
    text: str, source: str, default_name: str | None
) -> tuple[ExperimentConfig, tuple[Any, LineIndex] | None]:
    """The experiment without its ``sweep:`` block, and that block (raw, with the line index) if any."""
    data, index = load_yaml_with_lines(text, source)
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:{index.line_of(()) or 1}: an experiment must be a YAML mapping")
    if default_name is not None and "name" not in data:
        data = {"name": default_name, **data}
    sweep = (data.pop("sweep"), index) if "sweep" in data else None
    try:
        return ExperimentConfig.model_validate(data), sweep
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
    return parse_experiment(_read(p), str(p), default_name=p.stem)


def _read(p: Path) -> str:
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{p} is not a text file (byte {exc.start} is not UTF-8); an experiment file holds YAML"
        ) from None
    return text


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


def _is_file(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml")) or Path(spec).exists() or "/" in spec


def load_experiment(spec: str) -> ExperimentConfig:
    """A preset name or a path to a YAML file (anything ending in .yaml/.yml or naming a file)."""
    if _is_file(spec):
        return load_experiment_file(spec)
    return load_preset(spec)


def load_sweep_experiment(spec: str) -> tuple[ExperimentConfig, SweepSpec | None]:
    """Like :func:`load_experiment`, for ``stratagem sweep``: the experiment and its ``sweep:`` block.

    Raises:
        ConfigError: As :func:`load_experiment`, or a malformed ``sweep:`` block.
    """
    if not _is_file(spec):
        return load_preset(spec), None  # presets have no sweep block
    p = Path(spec)
    return parse_sweep_experiment(_read(p), str(p), default_name=p.stem)
