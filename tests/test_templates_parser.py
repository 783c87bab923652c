"""The template parser is strict: every rule gives an error naming the file and the line."""

from __future__ import annotations

import pytest

from classlab.experiments.steps import STEPS
from classlab.experiments.template import TemplateError, parse

BASE = '''format = 1
id = "PHY-S-14"
version = 1
kind = "sensor"
stage = "senior"
grades = [11]
title_zh = "单摆测重力加速度"
title_en = "Pendulum g"
method_zh = "测周期"
method_en = "Time the swings"
export = ["light"]

[buffers.light]
quantity = "illuminance"
unit = "lx"
label_zh = "光照度"
label_en = "illuminance"

[[inputs]]
sensor = "light"
buffer = "light"
rate_hz = 50
duration_s = 30

[params.length_m]
unit = "m"
default = 0.8
label_zh = "摆长"
label_en = "length"

[[analysis]]
name = "avg"
step = "mean"
in = { y = "light" }
out = { mean = "light_mean" }
params = { resolution = 1.0 }

[results.level]
value = "light_mean"
unit = "lx"
label_zh = "平均光照"
label_en = "mean light"

[[views]]
type = "graph"
title_zh = "光照"
title_en = "light"
y = ["light"]
'''


def _error(text: str, file: str = "PHY-S-14.toml") -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse(text, file)
    return info.value


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_base_template_parses():
    t = parse(BASE, "PHY-S-14.toml")
    assert t.id == "PHY-S-14" and t.buffers["light"].column == "illuminance_lx"
    assert t.analysis[0].inputs == {"y": "light"} and t.results["level"].unit == "lx"


def test_unknown_top_level_key():
    text = BASE.replace('version = 1\n', 'version = 1\ncolour = "red"\n')
    err = _error(text)
    assert err.file == "PHY-S-14.toml" and err.line == _line(text, "colour")
    assert "unknown key 'colour'" in str(err) and str(err).startswith(f"PHY-S-14.toml:{err.line}:")


def test_unknown_key_in_an_analysis_step():
    text = BASE.replace('step = "mean"\n', 'step = "mean"\nwindow = 3\n')
    err = _error(text)
    assert err.line == _line(text, "window = 3") and "unknown key 'window'" in err.message


def test_unknown_key_in_a_buffer_table():
    text = BASE.replace('label_en = "illuminance"\n', 'label_en = "illuminance"\nscale = 2\n')
    assert _error(text).line == _line(text, "scale = 2")


def test_unknown_step_parameter_inside_an_inline_table():
    text = BASE.replace("params = { resolution = 1.0 }", "params = { resolution = 1.0, smooth = 3 }")
    err = _error(text)
    assert err.line == _line(text, "smooth = 3") and "no parameter 'smooth'" in err.message


def test_undefined_buffer_in_inputs():
    text = BASE.replace('buffer = "light"', 'buffer = "lux"')
    err = _error(text)
    assert err.line == _line(text, 'buffer = "lux"') and "undefined buffer 'lux'" in err.message


def test_undefined_buffer_in_analysis_input():
    text = BASE.replace('in = { y = "light" }', 'in = { y = "lite" }')
    err = _error(text)
    assert err.line == _line(text, '"lite"') and "undefined buffer or output 'lite'" in err.message


def test_undefined_name_in_a_graph():
    text = BASE.replace('y = ["light"]', 'y = ["speed"]')
    assert _error(text).line == _line(text, '["speed"]')


def test_output_used_before_it_is_made():
    text = BASE.replace("[results.level]", '''[[analysis]]
name = "late"
step = "mean"
in = { y = "nowhere" }
out = { mean = "x" }

[results.level]''')
    assert _error(text).line == _line(text, '"nowhere"')


def _unit_slot() -> tuple[str, str, str]:
    """A registered step with an input slot that requires a unit, plus one other required slot name."""
    for step in STEPS.values():
        for slot, unit in step.inputs.items():
            if unit not in (None, "1") and unit != "lx":
                return step.name, slot, unit
    raise AssertionError("the registry has no step with a unit-constrained input")


def test_incompatible_units_between_buffer_and_step_slot():
    name, slot, unit = _unit_slot()
    step = STEPS[name]
    ins = ", ".join(f'{s} = "light"' for s in step.inputs if s == slot or s not in step.optional)
    out = step.outputs[0]
    text = BASE.replace("[results.level]", f'''[[analysis]]
name = "wrong"
step = "{name}"
in = {{ {ins} }}
out = {{ {out} = "w" }}

[results.level]''')
    err = _error(text)
    assert err.line == _line(text, f'step = "{name}"') + 1
    assert "incompatible units" in err.message and repr(unit) in err.message


def test_incompatible_unit_for_a_step_parameter_bound_to_a_template_param():
    for step in STEPS.values():
        p = next((p for p in step.params if p.unit == "s"), None)
        if p and all(s in step.optional or True for s in step.inputs):
            break
    ins = ", ".join(f'{s} = "light"' for s in step.inputs if s not in step.optional)
    text = BASE.replace("[results.level]", f'''[[analysis]]
name = "wrong"
step = "{step.name}"
in = {{ {ins} }}
out = {{ {step.outputs[0]} = "w" }}
params = {{ {p.name} = "$length_m" }}

[results.level]''')
    err = _error(text)
    assert err.line == _line(text, '"$length_m"') and "incompatible units" in err.message


def test_unknown_unit():
    text = BASE.replace('unit = "lx"\nlabel_zh = "光照度"', 'unit = "lux-ish"\nlabel_zh = "光照度"')
    err = _error(text)
    assert err.line == _line(text, "lux-ish") and "unknown unit" in err.message


def test_unknown_step():
    text = BASE.replace('step = "mean"', 'step = "average"')
    err = _error(text)
    assert err.line == _line(text, '"average"') and "unknown analysis step" in err.message


def test_unknown_input_slot():
    text = BASE.replace('in = { y = "light" }', 'in = { y = "light", z = "light" }')
    err = _error(text)
    assert err.line == _line(text, ", z = ") and "has no input 'z'" in err.message


def test_missing_english_text():
    text = BASE.replace('title_en = "Pendulum g"\n', "")
    err = _error(text)
    assert "title_en" in err.message


def test_empty_chinese_text():
    text = BASE.replace('method_zh = "测周期"', 'method_zh = "  "')
    err = _error(text)
    assert err.line == _line(text, "method_zh") and "non-empty" in err.message


def test_undefined_template_param_reference():
    text = BASE.replace("params = { resolution = 1.0 }", 'params = { resolution = "$spacing" }')
    assert "undefined template param 'spacing'" in _error(text).message


def test_result_must_name_an_output():
    text = BASE.replace('value = "light_mean"', 'value = "nothing"')
    err = _error(text)
    assert err.line == _line(text, '"nothing"')


def test_sensor_not_listed_for_the_experiment():
    text = BASE.replace('sensor = "light"', 'sensor = "voltage"')
    err = _error(text)
    assert err.line == _line(text, 'sensor = "voltage"') and "catalogue lists" in err.message


def test_id_must_match_file_name_and_catalogue():
    assert "does not match the file name" in _error(BASE, "PHY-S-13.toml").message
    err = _error(BASE.replace('"PHY-S-14"', '"PHY-X-99"'), "PHY-X-99.toml")
    assert err.line == 2 and "unknown experiment" in err.message


def test_toml_syntax_error_has_its_line():
    text = BASE.replace('stage = "senior"', "stage = senior")
    err = _error(text)
    assert err.line == _line(text, "stage = senior") and "not valid TOML" in err.message


def test_manual_template_needs_a_table():
    text = BASE.replace('kind = "sensor"', 'kind = "manual"')
    assert "table" in _error(text).message


def test_multiline_method_text_does_not_confuse_line_numbers():
    text = BASE.replace('method_en = "Time the swings"', 'method_en = """Time\nbogus = 1\nthe swings"""')
    text = text.replace('step = "mean"\n', 'step = "mean"\nwindow = 3\n')
    assert _error(text).line == _line(text, "window = 3")


def test_output_reference_in_step_params_must_name_an_earlier_output():
    text = BASE.replace("params = { resolution = 1.0 }", 'params = { resolution = 1.0, t_start = "@t_peak" }')
    err = _error(text)
    assert err.line == _line(text, '"@t_peak"') and "undefined output 't_peak'" in err.message
    ok = BASE.replace("[results.level]", '''[[analysis]]
name = "later"
step = "mean"
in = { y = "light" }
out = { mean = "light_mean2" }
params = { t_start = "@light_mean" }

[results.level]''')
    t = parse(ok, "PHY-S-14.toml")
    assert "light_mean" in t.sources("light_mean2") and "light" in t.sources("light_mean2")
