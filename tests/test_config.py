"""Gin parsing: clear errors with file and line, budgets as scopes, config differences."""

from __future__ import annotations

import gin
import pytest

from gan3d_bench.config import diff_configs, parse
from gan3d_bench.errors import UserError
from gan3d_bench.experiment import Experiment


def test_missing_file_is_named(tmp_path):
    with pytest.raises(UserError, match=r"config file .*nope\.gin not found"):
        parse([tmp_path / "nope.gin"])


def test_malformed_file_gives_file_and_line(tmp_path):
    path = tmp_path / "bad.gin"
    path.write_text("Experiment.steps = 3\nthis is not gin\n")
    with pytest.raises(UserError, match=r"bad\.gin, line 2: malformed gin"):
        parse([path])


def test_unclosed_bracket_is_reported(tmp_path):
    path = tmp_path / "bad.gin"
    path.write_text("Experiment.steps = (\n")
    with pytest.raises(UserError, match=r"bad\.gin: malformed gin: unexpected end of input"):
        parse([path])


def test_unknown_component_suggests_registered_names(tmp_path):
    path = tmp_path / "x.gin"
    path.write_text("Experiment.steps = 3\nExperiment.generator = @dcgan_generatr\n")
    with pytest.raises(UserError) as error:
        parse([path])
    message = str(error.value)
    assert "x.gin, line 2" in message
    assert "unknown component '@dcgan_generatr'" in message
    assert "did you mean: dcgan_generator" in message


def test_binding_to_missing_parameter_names_it(tmp_path):
    with pytest.raises(UserError, match=r"'dcgan_generator' has no parameter 'z_dm' "
                                        r"\(did you mean: z_dim\?\)"):
        parse([], ["dcgan_generator.z_dm = 3"])


def test_unknown_budget_lists_the_known_ones(toy_config):
    with pytest.raises(UserError, match=r"unknown budget 'quik' \(did you mean: quick\?\)"):
        parse([toy_config], budget="quik")


def test_budget_scope_applies_only_under_that_budget(toy_config):
    parsed = parse([toy_config], budget="quick")
    with parsed.scope():
        quick = Experiment()
    assert quick.steps == 6      # the experiment file's own quick/ override beats quick.gin's
    assert quick.width == 0.25   # quick.gin's generic default beats the unscoped paper value
    parsed = parse([toy_config])
    with parsed.scope():
        paper = Experiment()
    assert (paper.steps, paper.width) == (12, 0.125)


def test_budget_file_gives_generic_defaults(tmp_path):
    path = tmp_path / "x.gin"
    path.write_text("Experiment.log_every = 1000\n")
    parsed = parse([path], budget="quick")
    with parsed.scope():
        assert gin.query_parameter("quick/Experiment.steps") == 300


def test_diff_configs_lists_changed_added_and_removed_bindings():
    old = "Experiment.steps = 10\nExperiment.seed = 0\ndcgan_generator.z_dim = 100\n"
    new = "Experiment.steps = 20\nExperiment.seed = 0\nExperiment.width = 0.5\n"
    assert diff_configs(old, new) == [
        "Experiment.steps: 10 -> 20",
        "Experiment.width: (unset) -> 0.5",
        "dcgan_generator.z_dim: 100 -> (unset)",
    ]
    assert diff_configs(old, old) == []
