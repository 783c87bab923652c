"""The board application end to end on the fake hardware, under real MicroPython and CPython:
shipped pin maps -> drivers -> sampler -> frames -> MQTT (fake broker) -> the gateway's decoder,
with commands (rate, channels, stop, bad ones) and config errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classlab.gateway.protocol import KIND_SAMPLES, decode
from classlab.gateway.serial_source import SerialSource, command_packet
from classlab.hardware import pinmap
from tests.conftest import ROOT
from tests.firmware_harness import run_cases

BOARDS = ["picow-station", "esp32-station"]
ADC_SCRIPT = [(k * 97) % 60000 + 1000 for k in range(8000)]  # what tests/mpy/app_cases.py scripts


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("board_configs")
    for name in BOARDS:
        cfg = pinmap.to_board_config(pinmap.load(pinmap.find(name)))
        (out / f"{name}.json").write_text(json.dumps(cfg))
    (out / "site_config.py").write_text(
        (ROOT / "firmware" / "site_config_example.py").read_text()
        .replace('MQTT_HOST = "192.168.4.1"', 'MQTT_HOST = "broker.local"')
        .replace('BOARD_ID = "esp32-1"', 'BOARD_ID = "station-1"'))
    return out


@pytest.fixture(scope="module", params=[(b, rt) for b in BOARDS for rt in ("micropython", "cpython")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def app_run(request, micropython, configs: Path) -> tuple[str, dict, dict]:
    board, runtime = request.param
    cfg_path = configs / f"{board}.json"
    arg = f"/cfg/{board}.json" if runtime == "micropython" else str(cfg_path)
    extra = ("--path", f"{configs}:/cfg")
    cmd = command_packet({"cmd": "rate", "rate_hz": 50}).hex()
    res = run_cases(runtime, micropython, "app_cases.py", arg, cmd, extra_paths=extra)
    return board, json.loads(cfg_path.read_text()), res


def uv_fake(v: int) -> int:
    """The fake ADC's read_uv() for read_u16() = v (3.3 V full scale)."""
    return v * 3_300_000 // 65535


def test_meta_lists_every_pin_map_channel_and_is_retained_first(app_run) -> None:
    board, cfg, res = app_run
    r = res["run"]
    meta = json.loads(r["meta"][0])
    want = sorted(c["id"] for s in cfg["sensor"] for c in s["channels"])
    assert sorted(c["id"] for c in meta["channels"]) == want
    assert meta["tick_period"] == 1 << 30 and meta["board"] == cfg["board"]["type"]
    kinds = {c["driver"]: c["kind"] for c in meta["channels"]}
    assert kinds["ds18b20"] == "slow" and kinds["adc_divider"] == "fast" and kinds["photogate"] == "event"
    assert kinds["mpu6050"] == "fast_i2c"  # I²C cannot be read in a hard IRQ
    assert r["hard"] is (cfg["board"]["type"] != "esp32")  # ESP32 v1.27: soft timer


def test_adc_channel_decodes_to_the_scripted_values_in_time(app_run) -> None:
    _, cfg, res = app_run
    r = res["run"]
    meta = json.loads(r["meta"][0])
    volt = next(c for c in meta["channels"] if c["driver"] == "adc_divider")
    frames = [decode(bytes.fromhex(h)) for h in r["frames"]]
    assert [f.seq for f in frames] == sorted(f.seq for f in frames)  # in order, over QoS 1
    vals: list[int] = []
    periods: list[int] = []
    script = ADC_SCRIPT
    i = 0  # position in the pin's ADC script: the timer sampler and the DMA burst both consume it
    burst = 0
    for f in frames:
        if f.kind != KIND_SAMPLES:
            continue
        if volt["id"] in f.channels:
            got = f.samples[:, f.channels.index(volt["id"])].astype(int).tolist()
            assert got == [uv_fake(script[i + k]) // 100 for k in range(len(got))]  # 0.1 mV at the pin
            vals += got
            periods.append(f.period_us)
            assert f.dropped == 0
        elif f.channels == (volt["id"] + 32,):  # a burst: 12-bit codes, 4 µs apart (250 kS/s)
            got = f.samples[:, 0].astype(int).tolist()
            assert got == [script[i + k] >> 4 for k in range(len(got))] and f.period_us == 4
            burst += len(got)
        else:
            continue
        i += f.count
    assert len(vals) > 500
    rp2 = cfg["board"]["type"] in ("pico", "pico_w")
    assert burst == (3000 if rp2 else 0)
    metas = [json.loads(m) for m in r["meta"]]
    bmeta = [c for m in metas for c in m["channels"] if c["id"] == volt["id"] + 32]
    assert bool(bmeta) is rp2
    if rp2:  # the burst channel is described: code × scale gives the same volts as the driver's raw
        assert bmeta and bmeta[0]["scale"] == pytest.approx(volt["scale"] * 33000 / 4096)
    assert periods[0] == 10_000 and 5_000 in periods  # 100 Hz from the pin map, then the rate command
    div = next(s for s in cfg["sensor"] if s["driver"] == "adc_divider")["divider"]
    v_in = vals[0] * volt["scale"] + volt["offset"]  # what the gateway computes
    assert v_in == pytest.approx(uv_fake(script[0]) * 1e-6 * (div["r_top"] + div["r_bottom"]) / div["r_bottom"],
                                 abs=2e-4 * (div["r_top"] + div["r_bottom"]) / div["r_bottom"])


def test_commands_change_rate_channels_and_report_errors(app_run) -> None:
    _, _, res = app_run
    r = res["run"]
    metas = [json.loads(m) for m in r["meta"]]
    assert [m["rate_hz"] for m in metas[:2]] == [100.0, 200]
    assert len(metas[-1]["channels"]) == 1 and metas[-1]["channels"][0]["driver"] == "adc_divider"
    statuses = [json.loads(s) for s in r["status"] if s.startswith("{")]
    errors = [s["error"] for s in statuses if s.get("error")]
    assert any("7000" in e or "rate_hz must be" in e for e in errors)
    assert any("unknown command 'fly'" in e for e in errors)
    assert any("channel ids [99] are not on this board" in e for e in errors)
    if metas[0]["board"] == "esp32":
        assert any("burst needs an rp2 board" in e for e in errors)
    assert r["state_after_bad_channels"] == "running"  # a bad command changes nothing
    last = statuses[-1]
    assert last["state"] == "stopped" and last["channels"] == [metas[-1]["channels"][0]["id"]]
    # a restart (rate, channels) may cut a slow conversion short: that instant is counted, nothing else
    n_slow = sum(c["kind"] == "slow" for c in metas[0]["channels"])
    assert last["dropped"] <= 2 * n_slow and last["tx_dropped"] == 0
    assert r["n_rate"] > r["n_before"] > 10


def test_status_led_and_outage_while_sampling(app_run) -> None:
    _, _, res = app_run
    r = res["run"]
    assert r["leds"] == ["running", "offline", "running", "stopped"]
    assert r["reconnects"] == 2  # the data test above proves nothing was lost or duplicated meanwhile


def test_slow_sensor_values_arrive(app_run) -> None:
    _, _, res = app_run
    r = res["run"]
    meta = json.loads(r["meta"][0])
    probe = next(c for c in meta["channels"] if c["driver"] == "ds18b20")
    vals = []
    for h in r["frames"]:
        f = decode(bytes.fromhex(h))
        if f.kind == KIND_SAMPLES and f.channels == (probe["id"],):
            vals += f.samples[:, 0].astype(int).tolist()
    assert vals[:2] == [400, 401]  # the DS18B20 model's scripted registers, 1/16 °C


class Collect:
    def __init__(self) -> None:
        self.items: list[tuple[str, bytes]] = []

    def submit(self, site: str, board: str, kind: str, payload: bytes, arrival_ns: int, ack: object = None) -> None:
        self.items.append((kind, payload))


def test_usb_serial_stream_reaches_the_gateway_decode_path(app_run) -> None:
    _, cfg, res = app_run
    r = res["serial"]
    sink = Collect()
    src = SerialSource(sink, "unused", "school-a", "pico-1")
    n = src.feed(bytes.fromhex(r["stream"]), 0)
    assert n == len(sink.items) > 20 and not src.errors  # every packet intact
    kinds = [k for k, _ in sink.items]
    assert kinds[0] == "meta" and "status" in kinds and kinds.count("data") > 20
    metas = [json.loads(p) for k, p in sink.items if k == "meta"]
    assert metas[0]["board"] == cfg["board"]["type"] and metas[-1]["rate_hz"] == 50  # the serial command
    assert r["rate_after"] == 50
    frames = [decode(p) for k, p in sink.items if k == "data"]
    assert [f.seq for f in frames] == sorted(f.seq for f in frames)
    volt = next(c for c in metas[0]["channels"] if c["driver"] == "adc_divider")
    vals = []
    for f in frames:
        if f.kind == KIND_SAMPLES and volt["id"] in f.channels:
            vals += f.samples[:, f.channels.index(volt["id"])].astype(int).tolist()
    assert vals == [uv_fake(r_) // 100 for r_ in ADC_SCRIPT[:len(vals)]]


def test_calibration_in_meta_matches_the_hardware_maths(app_run) -> None:
    from classlab.hardware import calibration

    _, _, res = app_run
    r = res["calibration"]
    ch = next(c for c in r["calibrated"]["channels"] if "calibration" in c)
    assert ch["calibration"]["method"] == "two-point" and ch["calibration"]["by"] == "T. Wang"
    plain = next(c for c in r["plain"]["channels"] if c["id"] == ch["id"])
    assert ch["scale"] == pytest.approx(plain["scale"] * 1.02)
    assert ch["offset"] == pytest.approx(plain["offset"] * 1.02 - 0.05)
    # the gateway-side maths (classlab.hardware.calibration.apply) gives the same composition, and
    # leaves the firmware's calibrated channel alone (no double correction)
    cal = calibration.Calibration("x", {ch["id"]: calibration.ChannelCal(ch["id"], 1.02, -0.05, method="two-point")})
    want = next(c for c in calibration.apply(r["plain"], cal)["channels"] if c["id"] == ch["id"])
    assert (want["scale"], want["offset"]) == pytest.approx((ch["scale"], ch["offset"]))
    again = next(c for c in calibration.apply(r["calibrated"], cal)["channels"] if c["id"] == ch["id"])
    assert (again["scale"], again["offset"]) == (ch["scale"], ch["offset"])
    assert all("calibration" not in c for c in r["calibrated"]["channels"] if c["id"] != ch["id"])


def test_main_entry_point_wires_config_site_transport_and_led(app_run) -> None:
    board, cfg, res = app_run
    r = res["main"]
    assert r["meta_board"] == cfg["board"]["type"] and r["data_frames"] > 10
    assert r["client_id"] == "classlab-station-1"  # BOARD_ID from site_config.py
    assert r["led"] == "running"


def test_config_errors_are_clear(app_run) -> None:
    _, _, res = app_run
    assert "unknown driver 'flux_capacitor'" in res["unknown_driver"]["error"]
    assert "ADC2" in res["adc2_with_wifi"]["error"] and "GPIO32-39" in res["adc2_with_wifi"]["error"]
    site_err, board_err = res["bad_ids"]["errors"]
    assert "SITE_ID = 'School A'" in site_err and "a-z, 0-9" in site_err
    assert "BOARD_ID" in board_err
