"""Electromagnetism labs: induction pulses through a ×100 amplifier (PHY-J-19, PHY-S-17) and a learning
transformer's primary and secondary RMS voltages (PHY-S-18), both into biased 12-bit ADC inputs.
"""

from __future__ import annotations

import numpy as np

from .base import Param, SimChannel, SimModel
from .electrical import adc_span


class InductionPulses(SimModel):
    """PHY-J-19: a conductor (or magnet) moved through a field; an amplifier (×100, biased at mid-rail)
    feeds the ADC, whose channel is calibrated back to the coil's EMF in V.

    Each pass gives one Gaussian-shaped lobe (~50 ms) whose sign follows the direction of motion;
    moves along the field lines or with the circuit open give nothing. Truth: ``pulse_count``,
    ``peak_emf_V`` (the largest pulse, with its sign), ``first_polarity`` (±1).
    """

    experiment = "PHY-J-19"
    rate_hz = 500.0
    duration_s = 12.0
    PARAMS = (
        Param("peak_mV", "mV", None, 1.0, 5.0, "EMF peak of one pass"),
        Param("pulses", "1", 4.0, doc="passes that cut the field lines"),
        Param("width_s", "s", None, 0.03, 0.08, "pulse width"),
        Param("amp_offset_mV", "mV", None, -0.05, 0.05, "amplifier offset referred to the input"),
    )
    NOISE = (0.06e-3,)
    GAIN = 100.0

    def _setup(self) -> None:
        p = self.p
        n = int(p["pulses"])
        self.times = 1.5 + np.arange(n) * (self.duration_s - 3.0) / max(n - 1, 1)
        self.signs = self._signs(n)
        self.amps = p["peak_mV"] * 1e-3 * self.rng.uniform(0.7, 1.0, n)
        scale = 3.3 / 4095.0 / self.GAIN
        self.channels = [SimChannel(0, "adc12-amp100", "voltage", "V", scale, -2048 * scale, "H")]
        k = int(np.argmax(self.amps))
        self.truth = {
            "pulse_count": float(n),
            "peak_emf_V": float(self.amps[k] * self.signs[k]),
            "first_polarity": float(self.signs[0]),
        }

    def _signs(self, n: int) -> np.ndarray:
        return np.where(self.rng.random(n) < 0.5, -1.0, 1.0)

    def _clean(self, t: np.ndarray) -> np.ndarray:
        p = self.p
        s = (t[:, None] - self.times[None, :]) / (p["width_s"] / 2.0)
        shape = np.exp(-0.5 * s**2)  # one pass, one lobe: the flux changes one way
        v = (shape * self.amps * self.signs).sum(axis=1) + p["amp_offset_mV"] * 1e-3
        return v[:, None]

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        out[:, 0] = adc_span(out[:, 0], self.channels[0])
        return out


class LenzPulses(InductionPulses):
    """PHY-S-17: a magnet pushed into and pulled out of a coil: pulses alternate in sign.
    ``first_polarity`` is +1 for the N pole going in with this coil's winding."""

    experiment = "PHY-S-17"

    def _signs(self, n: int) -> np.ndarray:
        first = 1.0 if self.rng.random() < 0.5 else -1.0
        return first * (-1.0) ** np.arange(n)


class Transformer(SimModel):
    """PHY-S-18: primary and secondary AC voltages of a learning transformer (≤ 12 V), each through an
    isolated, biased divider into the ADC at 5 kHz. Truth: ``primary_rms_V``, ``secondary_rms_V``,
    ``ratio`` (= U1/U2 ≈ n1/n2 less a few % of losses)."""

    experiment = "PHY-S-18"
    rate_hz = 5000.0
    duration_s = 0.4
    PARAMS = (
        Param("primary_rms_V", "V", None, 4.0, 6.0, "primary RMS voltage"),
        Param("n1", "1", 400.0, doc="primary turns"),
        Param("n2", "1", None, 100.0, 500.0, "secondary turns"),
        Param("efficiency", "1", None, 0.93, 0.98, "voltage ratio loss"),
        Param("freq_Hz", "Hz", 50.0, doc="mains frequency"),
    )
    ANALYSIS_PARAMS = ("n1", "n2")
    NOISE = (0.01, 0.01)

    def _setup(self) -> None:
        p = self.p
        p["n2"] = float(round(p["n2"] / 50.0) * 50.0)
        self.u2 = p["primary_rms_V"] * p["n2"] / p["n1"] * p["efficiency"]
        scale = 4 * 6.6 / 4095.0  # ±13.2 V range around a mid-rail bias
        self.channels = [
            SimChannel(0, "adc12-ac", "voltage", "V", scale, -2048 * scale, "H"),
            SimChannel(1, "adc12-ac", "voltage2", "V", scale, -2048 * scale, "H"),
        ]
        self.phase = self.rng.uniform(0, 2 * np.pi)
        self.truth = {
            "primary_rms_V": float(p["primary_rms_V"]),
            "secondary_rms_V": float(self.u2),
            "ratio": float(p["primary_rms_V"] / self.u2),
        }

    def _clean(self, t: np.ndarray) -> np.ndarray:
        w = 2 * np.pi * self.p["freq_Hz"] * t + self.phase
        root2 = np.sqrt(2.0)
        return np.stack(
            [self.p["primary_rms_V"] * root2 * np.sin(w), self.u2 * root2 * np.sin(w - 0.05)], axis=1
        )

    def _sensors(self, t: np.ndarray, clean: np.ndarray) -> np.ndarray:
        out = super()._sensors(t, clean)
        for j, ch in enumerate(self.channels):
            out[:, j] = adc_span(out[:, j], ch)
        return out


MODELS: dict[str, type[SimModel]] = {
    "PHY-J-19": InductionPulses,
    "PHY-S-17": LenzPulses,
    "PHY-S-18": Transformer,
}
