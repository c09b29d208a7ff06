"""Experiments: YAML files and presets, validated and expanded into match jobs with stable ids.

* :func:`load_experiment` — a preset name (``bots``, ``advgamebench``, ``smoke``) or a YAML path →
  :class:`ExperimentConfig` (errors: :class:`ConfigError`, one line naming field and line).
* :class:`JobPlan` — the config → its :class:`MatchJob` s, made lazily in plan order (``len`` without
  making them); :func:`expand` — the same as a list (ids from :mod:`.identity`).
* :func:`build_job` — one job outside an experiment (``stratagem play``), same ids.
* :class:`SweepPlan` — a sweep's points (:mod:`.sweep`), each the experiment with some values changed, and
  their jobs, every one carrying its point's sweep key; :func:`load_sweep_experiment` reads a file's
  ``sweep:`` block.
"""

from harness.experiments.config import ExperimentConfig
from harness.experiments.expand import JobPlan, base_generation, expand, generation_for, model_pairs
from harness.experiments.jobs import JobFactory, MatchJob, build_job, takes_no_sampling_params
from harness.experiments.loading import (
    load_experiment,
    load_experiment_file,
    load_preset,
    load_sweep_experiment,
    parse_experiment,
    parse_sweep_experiment,
    preset_names,
)
from harness.experiments.sweep import SweepPlan, SweepPoint, SweepSpec, VaryEntry, merge, parse_vary_option
from harness.experiments.sweep_paths import SweepError
from harness.experiments.yaml_lines import ConfigError

__all__ = [
    "ConfigError",
    "ExperimentConfig",
    "JobFactory",
    "JobPlan",
    "MatchJob",
    "SweepError",
    "SweepPlan",
    "SweepPoint",
    "SweepSpec",
    "VaryEntry",
    "base_generation",
    "build_job",
    "expand",
    "generation_for",
    "load_experiment",
    "load_experiment_file",
    "load_preset",
    "load_sweep_experiment",
    "merge",
    "model_pairs",
    "parse_experiment",
    "parse_sweep_experiment",
    "parse_vary_option",
    "preset_names",
    "takes_no_sampling_params",
]
