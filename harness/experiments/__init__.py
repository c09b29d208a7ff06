"""Experiments: YAML files and presets, validated and expanded into match jobs with stable ids.

* :func:`load_experiment` — a preset name (``bots``, ``advgamebench``, ``smoke``) or a YAML path →
  :class:`ExperimentConfig` (errors: :class:`ConfigError`, one line naming field and line).
* :class:`JobPlan` — the config → its :class:`MatchJob` s, made lazily in plan order (``len`` without
  making them); :func:`expand` — the same as a list (ids from :mod:`.identity`).
* :func:`build_job` — one job outside an experiment (``stratagem play``), same ids.
"""

from harness.experiments.config import ExperimentConfig
from harness.experiments.expand import JobPlan, base_generation, expand, generation_for, model_pairs
from harness.experiments.jobs import JobFactory, MatchJob, build_job, takes_no_sampling_params
from harness.experiments.loading import (
    load_experiment,
    load_experiment_file,
    load_preset,
    parse_experiment,
    preset_names,
)
from harness.experiments.yaml_lines import ConfigError

__all__ = [
    "ConfigError",
    "ExperimentConfig",
    "JobFactory",
    "JobPlan",
    "MatchJob",
    "base_generation",
    "build_job",
    "expand",
    "generation_for",
    "load_experiment",
    "load_experiment_file",
    "load_preset",
    "model_pairs",
    "parse_experiment",
    "preset_names",
    "takes_no_sampling_params",
]
