"""Light labs: reflection angle scan, lens image distance, double-slit fringes, inverse square,
illuminance logs, sunlit surfaces, and the automatic-control (thermostat) lab.

Illuminance in lx. The BH1750 (1/1.2 lx per count, saturating at 54612 lx) is the slow ambient sensor;
scans use a photodiode on the ADC (0.1 lx per count) that can keep up with a moving stage.
"""

from __future__ import annotations

import numpy as np

from .base import Param, SimChannel, SimModel
from .environment import EnvironmentLog, bh1750, light_noise
from .motion import ranger_artefacts, ultrasonic
from .thermal import ds18b20


def photodiode(cid: int) -> SimChannel:
    return SimChannel(cid, "photodiode-adc", "illuminance", "lx", 0.1, 0.0, "H")


class LightModel(SimModel):
    """Light noise on every ``lx`` channel (≈1 % + 0.5 lx), Gaussian ``NOISE`` on the others."""

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = clean.copy()
        for j, ch in enumerate(self.channels):
            if ch.unit == "lx":
                out[:, j] = light_noise(self, clean[:, j])
            else:
                out[:, j] += self.rng.normal(0.0, self.NOISE[j] * self.noise, len(t))
                if ch.quantity == "distance":
                    out[:, j] = ranger_artefacts(self, out[:, j], p_spur=0.0)
        return out


class ReflectionScan(LightModel):
    """PHY-J-15: a servo swings the light sensor along the protractor arc (0 → 90°); the reflected
    beam is brightest where the reflection angle equals the incidence angle.

    Channels: ``angle_deg`` (servo command, 0.1° steps) and ``illuminance_lx``. Truth:
    ``reflection_angle_deg`` (= incidence angle).
    """

    experiment = "PHY-J-15"
    rate_hz = 20.0
    PARAMS = (
        Param("incidence_deg", "deg", None, 20.0, 70.0, "angle of incidence"),
        Param("beam_deg", "deg", None, 2.0, 4.0, "beam width (1 sigma) at the arc"),
        Param("peak_lx", "lx", None, 300.0, 1500.0, "reflected beam"),
        Param("room_lx", "lx", None, 5.0, 40.0, "stray light"),
        Param("sweep_s", "s", 30.0, doc="time for 0 → 90°"),
        Param("t_start_s", "s", None, 1.0, 3.0, "sweep start"),
    )
    ANALYSIS_PARAMS = ("incidence_deg",)
    NOISE = (0.05, 0.0)

    def _setup(self) -> None:
        p = self.p
        self.duration_s = float(p["t_start_s"] + p["sweep_s"] + 1.0)
        self.channels = [SimChannel(0, "servo", "angle", "deg", 0.1, 0.0, "h"), bh1750(1)]
        self.truth = {"reflection_angle_deg": float(p["incidence_deg"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        ang = np.clip((t - p["t_start_s"]) / p["sweep_s"], 0.0, 1.0) * 90.0
        e = p["room_lx"] + p["peak_lx"] * np.exp(-0.5 * ((ang - p["incidence_deg"]) / p["beam_deg"]) ** 2)
        return np.stack([ang, e], axis=1)


class LensScan(LightModel):
    """PHY-J-17: the screen carriage (a pinhole photodiode on it) is slid through the image; a ranger
    at the lens measures the lens–screen distance v. The light through the pinhole peaks where the
    image is sharp: v = 1/(1/f − 1/u).

    Truth: ``image_distance_m``, ``focal_length_m``; ``object_distance_m`` is the analysis input.
    """

    experiment = "PHY-J-17"
    rate_hz = 20.0
    PARAMS = (
        Param("focal_m", "m", None, 0.08, 0.15, "focal length"),
        Param("object_distance_m", "m", None, 0.25, 0.45, "u"),
        Param("aperture_m", "m", 0.03, doc="lens aperture"),
        Param("pinhole_m", "m", 0.001, doc="pinhole on the screen"),
        Param("peak_lx", "lx", None, 400.0, 1500.0, "at focus"),
        Param("room_lx", "lx", None, 2.0, 20.0, "stray light"),
        Param("span_m", "m", 0.12, doc="carriage travel, centred on the image"),
        Param("sweep_s", "s", 20.0, doc="time for the travel"),
    )
    ANALYSIS_PARAMS = ("object_distance_m",)
    NOISE = (0.002, 0.0)

    def _setup(self) -> None:
        p = self.p
        if p["object_distance_m"] <= p["focal_m"] * 1.2:
            raise ValueError("the object must be well beyond the focal length for a real image")
        self.v = 1.0 / (1.0 / p["focal_m"] - 1.0 / p["object_distance_m"])
        self.offset = self.rng.uniform(-0.3, 0.3) * p["span_m"]  # the student does not start centred
        self.duration_s = float(p["sweep_s"] + 4.0)
        self.channels = [ultrasonic(0), photodiode(1)]
        self.truth = {"image_distance_m": float(self.v), "focal_length_m": float(p["focal_m"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        start = self.v - p["span_m"] / 2 + self.offset * 0.2
        x = start + np.clip((t - 2.0) / p["sweep_s"], 0.0, 1.0) * p["span_m"]
        blur = p["aperture_m"] * np.abs(x - self.v) / self.v  # blur-circle diameter at the screen
        e = p["room_lx"] + p["peak_lx"] / (1.0 + (blur / p["pinhole_m"]) ** 2)
        return np.stack([x, e], axis=1)


class EyeModel(LensScan):
    """BIO-J-32: a water-lens eyeball model; the 'retina' carriage is slid to find the sharp image."""

    experiment = "BIO-J-32"
    PARAMS = (
        Param("focal_m", "m", None, 0.05, 0.08, "water lens focal length"),
        Param("object_distance_m", "m", None, 0.3, 0.6, "u"),
        Param("aperture_m", "m", 0.02, doc="pupil"),
        Param("pinhole_m", "m", 0.001, doc="pinhole on the retina"),
        Param("peak_lx", "lx", None, 300.0, 1000.0, "at focus"),
        Param("room_lx", "lx", None, 2.0, 20.0, "stray light"),
        Param("span_m", "m", 0.06, doc="carriage travel"),
        Param("sweep_s", "s", 20.0, doc="time for the travel"),
    )


class DoubleSlit(LightModel):
    """PHY-S-16: a stepper stage scans a photodiode across the fringes of a laser double slit.

    I(x) = I0·cos²(π x/Δx)·sinc²(π a x/(λL)) + background, Δx = λL/d. Channels ``position_m``
    (10 µm steps) and ``illuminance_lx``. Truth: ``fringe_spacing_m``, ``wavelength_m``; inputs
    ``slit_separation_m`` and ``screen_distance_m``.
    """

    experiment = "PHY-S-16"
    rate_hz = 50.0
    PARAMS = (
        Param("wavelength_m", "m", None, 630e-9, 660e-9, "red laser"),
        Param("slit_separation_m", "m", None, 0.15e-3, 0.30e-3, "d"),
        Param("slit_width_m", "m", 0.05e-3, doc="a"),
        Param("screen_distance_m", "m", None, 0.8, 1.2, "L"),
        Param("peak_lx", "lx", None, 200.0, 800.0, "central fringe"),
        Param("room_lx", "lx", None, 1.0, 10.0, "stray light"),
        Param("scan_m", "m", 0.03, doc="scan length, centred"),
        Param("speed_m_s", "m/s", 0.0005, doc="stage speed"),
    )
    ANALYSIS_PARAMS = ("slit_separation_m", "screen_distance_m")
    NOISE = (0.0, 0.0)

    def _setup(self) -> None:
        p = self.p
        self.dx = p["wavelength_m"] * p["screen_distance_m"] / p["slit_separation_m"]
        self.duration_s = float(p["scan_m"] / p["speed_m_s"] + 2.0)
        self.channels = [SimChannel(0, "stepper", "position", "m", 1e-5, 0.0, "i"), photodiode(1)]
        self.truth = {"fringe_spacing_m": float(self.dx), "wavelength_m": float(p["wavelength_m"])}

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        x = -p["scan_m"] / 2 + np.clip((t - 1.0) * p["speed_m_s"], 0.0, p["scan_m"])
        beta = np.pi * p["slit_width_m"] * x / (p["wavelength_m"] * p["screen_distance_m"])
        env = np.sinc(beta / np.pi) ** 2
        e = p["room_lx"] + p["peak_lx"] * np.cos(np.pi * x / self.dx) ** 2 * env
        return np.stack([x, e], axis=1)


class InverseSquare(LightModel):
    """BIO-J-21: a small lamp moved away from the light sensor along a bench in steps; a ranger on
    the sensor side measures the lamp's distance. E = k/(d − d0)² + ambient, d0 = the filament's
    offset behind the lamp's front face.

    Truth: ``k_lx_m2``, ``ambient_lx``, ``source_offset_m``.
    """

    experiment = "BIO-J-21"
    rate_hz = 10.0
    PARAMS = (
        Param("k_lx_m2", "lx*m2", None, 60.0, 200.0, "lamp strength"),
        Param("ambient_lx", "lx", None, 2.0, 30.0, "room light"),
        Param("source_offset_m", "m", None, -0.02, 0.0, "filament behind the front face"),
        Param("near_m", "m", 0.15, doc="first position"),
        Param("far_m", "m", 0.80, doc="last position"),
        Param("positions", "1", 8.0, doc="positions"),
        Param("dwell_s", "s", 4.0, doc="time at each"),
    )
    NOISE = (0.002, 0.0)

    def _setup(self) -> None:
        p = self.p
        n = int(p["positions"])
        self.d = np.linspace(p["near_m"], p["far_m"], n)
        self.duration_s = float(1.0 + n * p["dwell_s"])
        self.channels = [ultrasonic(0), bh1750(1)]
        self.truth = {
            "k_lx_m2": float(p["k_lx_m2"]),
            "ambient_lx": float(p["ambient_lx"]),
            "source_offset_m": float(p["source_offset_m"]),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        k = np.clip(np.floor((t - 1.0) / p["dwell_s"]).astype(int), 0, len(self.d) - 1)
        frac = np.clip((t - 1.0 - k * p["dwell_s"]) / 0.8, 0.0, 1.0)  # 0.8 s to slide to the next mark
        prev = self.d[np.clip(k - 1, 0, None)]
        d = np.where(k > 0, prev + (self.d[k] - prev) * frac, self.d[0])
        e = p["k_lx_m2"] / (d - p["source_offset_m"]) ** 2 + p["ambient_lx"]
        return np.stack([d, e], axis=1)


class PhototaxisSides(EnvironmentLog):
    """BIO-J-07: two light sensors at the lit and shaded ends of the dish. Truth adds ``ratio``."""

    experiment = "BIO-J-07"
    KINDS = ("light", "light")
    rate_hz = 1.0
    duration_s = 300.0
    PARAMS = (
        Param("lit_lx", "lx", None, 500.0, 3000.0, "lit end"),
        Param("dark_lx", "lx", None, 10.0, 100.0, "shaded end"),
    )

    def _setup(self) -> None:
        super()._setup()
        self.truth["ratio"] = self.truth["illuminance_mean_lx"] / self.truth["illuminance2_mean_lx"]

    def signals(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        flicker = 1.0 + 0.02 * np.sin(2 * np.pi * t / 47.0 + self._phase[0])
        return np.stack([p["lit_lx"] * flicker, p["dark_lx"] * flicker], axis=1)


class ShadowLight(EnvironmentLog):
    """SCI-P-05: a torch lowered in steps (high → low); the sensor beside the stick reads less each time."""

    experiment = "SCI-P-05"
    KINDS = ("light",)
    rate_hz = 2.0
    duration_s = 60.0
    PARAMS = (Param("top_lx", "lx", None, 300.0, 1200.0, "torch overhead"),)

    def signals(self, t: np.ndarray) -> np.ndarray:
        k = np.clip(np.floor(t / 12.0), 0, 4)
        elev = np.radians(90.0 - 15.0 * k)
        return (self.p["top_lx"] * np.sin(elev) ** 2)[:, None]


class SunlitSurface(LightModel):
    """SCI-P-06: a probe under a coloured card in sunlight by a window; the card warms towards
    T_room + α·E/h. Channels ``temperature_C`` and ``illuminance_lx``. Truth: ``temperature_rise_C``
    (true rise at the end of the run), ``illuminance_mean_lx``, ``absorptance``."""

    experiment = "SCI-P-06"
    rate_hz = 1.0
    duration_s = 600.0
    PARAMS = (
        Param("sun_lx", "lx", None, 10000.0, 40000.0, "sunlight through the window"),
        Param("absorptance", "1", None, 0.2, 0.95, "white … black card"),
        Param("room_C", "C", None, 16.0, 28.0, "room"),
        Param("heat_tau_s", "s", None, 120.0, 240.0, "card + probe warming time constant"),
        Param("t_sun_s", "s", None, 10.0, 30.0, "card moved into the sun"),
    )
    NOISE = (0.03, 0.0)
    C_PER_LX = 0.0006  # °C of equilibrium rise per lx for a black card

    def _setup(self) -> None:
        p = self.p
        self.rise_eq = self.C_PER_LX * p["absorptance"] * p["sun_lx"]
        self.channels = [ds18b20(0), bh1750(1)]
        end = self.card(np.array([self.duration_s]))[0] - p["room_C"]
        grid = np.arange(0.0, self.duration_s, 1.0 / self.rate_hz)
        self.truth = {
            "temperature_rise_C": float(end),
            "illuminance_mean_lx": float(self.sun(grid).mean()),
            "absorptance": float(p["absorptance"]),
        }

    def sun(self, t: np.ndarray) -> np.ndarray:
        return np.where(t >= self.p["t_sun_s"], self.p["sun_lx"], 0.02 * self.p["sun_lx"])

    def card(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = np.clip(t - p["t_sun_s"], 0.0, None)
        return p["room_C"] + self.rise_eq * (1.0 - np.exp(-s / p["heat_tau_s"]))

    def _clean(self, t: np.ndarray) -> np.ndarray:
        return np.stack([self.card(t), self.sun(t)], axis=1)


class Thermostat(SimModel):
    """PHY-S-19: a thermostat built from a temperature probe and a relay-driven heater (hysteresis).

    The controller switches the heater on when its probe reads below ``set_C − band/2`` and off above
    ``set_C + band/2``. Channels ``temperature_C`` and ``state_level`` (relay: 1 = heater on). Truth:
    ``switch_on_C``, ``switch_off_C``, ``hysteresis_C``.
    """

    experiment = "PHY-S-19"
    rate_hz = 1.0
    duration_s = 1200.0
    PARAMS = (
        Param("set_C", "C", None, 30.0, 45.0, "set point"),
        Param("band_C", "C", None, 1.0, 3.0, "hysteresis band"),
        Param("room_C", "C", None, 16.0, 26.0, "room"),
        Param("heat_C_per_s", "C/s", None, 0.05, 0.15, "heating rate with the heater on"),
        Param("cool_tau_s", "s", None, 300.0, 600.0, "cooling time constant"),
        Param("tau_s", "s", None, 5.0, 10.0, "probe time constant"),
    )
    NOISE = (0.03, 0.0)

    def _setup(self) -> None:
        p = self.p
        self.on_at, self.off_at = p["set_C"] - p["band_C"] / 2, p["set_C"] + p["band_C"] / 2
        dt = 0.1
        n = int(self.duration_s * 2 / dt) + 2
        water, probe, relay = np.empty(n), np.empty(n), np.empty(n)
        w = pr = p["room_C"]
        on = True
        a = np.exp(-dt / p["tau_s"])
        for i in range(n):  # stateful: the relay depends on the history
            if on and pr >= self.off_at:
                on = False
            elif not on and pr <= self.on_at:
                on = True
            w += (p["heat_C_per_s"] * on - (w - p["room_C"]) / p["cool_tau_s"]) * dt
            pr = a * pr + (1 - a) * w
            water[i], probe[i], relay[i] = w, pr, on
        self.grid = np.arange(n) * dt
        self.probe, self.relay = probe, relay
        self.channels = [ds18b20(0), SimChannel(1, "relay", "state", "level", 1.0, 0.0, "H")]
        self.truth = {
            "switch_on_C": float(self.on_at),
            "switch_off_C": float(self.off_at),
            "hysteresis_C": float(p["band_C"]),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(self.grid, t, side="right") - 1, 0, len(self.grid) - 1)
        return np.stack([np.interp(t, self.grid, self.probe), self.relay[i]], axis=1)


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-15": ReflectionScan,
    "PHY-J-17": LensScan,
    "PHY-S-16": DoubleSlit,
    "PHY-S-19": Thermostat,
    "BIO-J-07": PhototaxisSides,
    "BIO-J-21": InverseSquare,
    "BIO-J-32": EyeModel,
    "SCI-P-05": ShadowLight,
    "SCI-P-06": SunlitSurface,
}
