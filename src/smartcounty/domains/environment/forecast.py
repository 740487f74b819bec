"""Air-quality forecast (pure): the next 72 hours of a station's AQI from its own hourly history and weather.

The model is a **direct multi-horizon ridge regression**: one linear model per lead time h = 1..72 h,
all over the same features of the forecast origin t (the last complete hour):

* the station's hourly AQI at t, t−1, t−2, t−3, t−6, t−12, t−23 and its mean over the last 24 hours
  (lags and the level of the day);
* the hour of day of t as two harmonics (sin/cos of 2πk·hour/24, k = 1, 2): for a fixed lead h the
  target's hour is hour(t) + h, a rotation of the same harmonics, so each lead's model learns the
  daily cycle at its target hour;
* the nearest weather station's wind speed, relative humidity and temperature at t (hourly means).
  No weather forecast exists in the platform, so the weather of the origin is used at every lead:
  the model learns how much of it persists.

Each lead's model predicts the *change* of log(1 + AQI) from the origin (so shrinking the coefficients
leads back to persistence, and a rare spike weighs less than on the linear scale); features are the
same transform of the lags, standardised on the training rows. The ridge penalty is chosen per lead
from ``ALPHAS`` on the latest 30 % of the training rows (fitted on the rows before them); when no
penalty beats persistence there, that lead is forecast by persistence. A lead time with fewer than ``MIN_ROWS`` training rows falls back
to persistence (the AQI of the origin); a station with less than ``MIN_HISTORY`` valid hours is
forecast by persistence alone. Forecasts are clipped to [0, 500].

``backtest`` is a rolling-origin evaluation: from each origin in the last ``days`` days (every
``step`` hours) the model is refitted on the data before the origin only and forecasts 72 hours;
its mean absolute error over every (origin, lead) pair with an observed AQI is reported beside the
MAE of persistence on exactly the same pairs.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

HORIZON = 72
LAGS = (0, 1, 2, 3, 6, 12, 23)
MAX_LAG = max(LAGS)
WEATHER = ("wind_speed", "humidity", "temperature")
#: ridge penalties tried per lead time (None as ``alpha``: choose by validation)
ALPHAS = (1.0, 30.0, 1000.0)
ALPHA = None
VALIDATION = 0.3
MIN_VALIDATION = 24
MIN_ROWS = 48
MIN_HISTORY = 96
AQI_MAX = 500.0

RIDGE, PERSISTENCE = "ridge", "persistence"


@dataclass(frozen=True)
class Forecast:
    method: str
    #: AQI at leads 1..HORIZON (hours after the origin)
    values: tuple[float, ...]
    #: leads forecast by the regression (the others by persistence)
    model_leads: int
    history_hours: int


@dataclass(frozen=True)
class Backtest:
    model_mae: float | None
    persistence_mae: float | None
    pairs: int
    origins: int

    @property
    def skill(self) -> float | None:
        """1 − MAE(model)/MAE(persistence): > 0 means the model beats persistence."""
        if self.model_mae is None or not self.persistence_mae:
            return None
        return 1.0 - self.model_mae / self.persistence_mae


def _array(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _ffill(a: np.ndarray) -> np.ndarray:
    out = a.copy()
    last = np.nan
    for i, v in enumerate(out):
        if np.isnan(v):
            out[i] = last
        else:
            last = v
    return out


def features(aqi: Sequence[float | None], hours: Sequence[int],
             weather: Mapping[str, Sequence[float | None]] | None = None) -> np.ndarray:
    return _features(np.log1p(np.clip(_array(aqi), 0, None)), hours, weather)


def _features(y: np.ndarray, hours: Sequence[int],
              weather: Mapping[str, Sequence[float | None]] | None = None) -> np.ndarray:
    """Feature matrix (n × p) of every hour as a forecast origin; NaN where a feature is unknown.

    ``aqi[i]`` is the AQI of hour i (None: missing), ``hours[i]`` its hour of day (Beijing time),
    ``weather`` maps ``WEATHER`` names to hourly series on the same clock (short gaps are carried
    forward; a series with no value at all is left out).
    """
    n = len(y)
    cols = []
    for lag in LAGS:
        c = np.full(n, np.nan)
        c[lag:] = y[:n - lag] if lag else y
        cols.append(c)
    mean24 = np.full(n, np.nan)
    for i in range(MAX_LAG, n):
        window = y[i - MAX_LAG:i + 1]
        if np.count_nonzero(~np.isnan(window)) >= 18:  # most of the day known
            mean24[i] = np.nanmean(window)
    cols.append(mean24)
    h = np.asarray(hours, dtype=float)
    for k in (1, 2):
        cols.append(np.sin(2 * math.pi * k * h / 24))
        cols.append(np.cos(2 * math.pi * k * h / 24))
    for name in WEATHER:
        series = (weather or {}).get(name)
        if series is None or len(series) != n:
            continue
        w = _ffill(_array(series))
        if np.all(np.isnan(w)):
            continue
        cols.append(w)
    return np.column_stack(cols) if cols else np.empty((n, 0))


def _fit(x: np.ndarray, y: np.ndarray, alpha: float):
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - mu) / sd
    ym = y.mean()
    p = z.shape[1]
    w = np.linalg.solve(z.T @ z + alpha * np.eye(p), z.T @ (y - ym))
    return mu, sd, ym, w


def _predict(model, row: np.ndarray) -> float:
    mu, sd, ym, w = model
    return float(ym + ((row - mu) / sd) @ w)


def _select(x: np.ndarray, dy: np.ndarray) -> float | None:
    """The penalty of ``ALPHAS`` with the least absolute error on the last ``VALIDATION`` share of the rows
    (fitted on the rows before them), or None when persistence (a change of 0) does at least as well."""
    cut = int(len(dy) * (1 - VALIDATION))
    if len(dy) - cut < MIN_VALIDATION or cut < MIN_ROWS // 2:
        return ALPHAS[-1]
    best, best_err = None, float(np.mean(np.abs(dy[cut:])))
    for a in ALPHAS:
        mu, sd, ym, w = _fit(x[:cut], dy[:cut], a)
        err = float(np.mean(np.abs(ym + ((x[cut:] - mu) / sd) @ w - dy[cut:])))
        if err < best_err:
            best, best_err = a, err
    return best


def _clip(v: float) -> float:
    return min(AQI_MAX, max(0.0, v))


def _forecast_from(x: np.ndarray, y: np.ndarray, origin: int, alpha: float | None, horizon: int) -> Forecast | None:
    """Forecast from ``origin`` using only data up to and including it."""
    last = y[origin]
    if np.isnan(last):
        return None
    history = int(np.count_nonzero(~np.isnan(y[:origin + 1])))
    row = x[origin]
    if history < MIN_HISTORY or np.any(np.isnan(row)):
        return Forecast(PERSISTENCE, tuple(float(last) for _ in range(horizon)), 0, history)
    complete = ~np.any(np.isnan(x), axis=1)
    values, model_leads = [], 0
    for lead in range(1, horizon + 1):
        rows = np.arange(0, origin + 1 - lead)
        target = y[rows + lead]
        ok = complete[rows] & ~np.isnan(target)
        if np.count_nonzero(ok) < MIN_ROWS:
            values.append(float(last))
            continue
        # The model learns the change of log(1 + AQI) from the origin: shrinking it leads back to
        # persistence. The penalty (or persistence itself) is chosen on the latest part of the training rows.
        xs, dy = x[rows[ok]], np.log1p(target[ok]) - np.log1p(y[rows[ok]])
        chosen = _select(xs, dy) if alpha is None else alpha
        if chosen is None:
            values.append(float(last))
            continue
        model = _fit(xs, dy, chosen)
        values.append(_clip(math.expm1(math.log1p(float(last)) + _predict(model, row))))
        model_leads += 1
    return Forecast(RIDGE if model_leads else PERSISTENCE, tuple(values), model_leads, history)


def forecast(aqi: Sequence[float | None], hours: Sequence[int],
             weather: Mapping[str, Sequence[float | None]] | None = None, *, alpha: float | None = ALPHA,
             horizon: int = HORIZON) -> Forecast | None:
    """Forecast the ``horizon`` hours after the last hour of ``aqi`` (None: the last hour has no AQI)."""
    y = _array(aqi)
    if not len(y):
        return None
    return _forecast_from(features(aqi, hours, weather), y, len(y) - 1, alpha, horizon)


def backtest(aqi: Sequence[float | None], hours: Sequence[int],
             weather: Mapping[str, Sequence[float | None]] | None = None, *, days: int = 7, step: int = 24,
             alpha: float | None = ALPHA, horizon: int = HORIZON) -> Backtest:
    """Rolling-origin MAE of the model and of persistence over the last ``days`` days (see module doc)."""
    y = _array(aqi)
    n = len(y)
    x = features(aqi, hours, weather)
    err_model = err_persist = 0.0
    pairs = origins = 0
    first = max(0, n - 1 - days * 24)
    for origin in range(n - 2, first - 1, -step):
        f = _forecast_from(x, y, origin, alpha, horizon)
        if f is None:
            continue
        used = False
        for lead, value in enumerate(f.values, start=1):
            t = origin + lead
            if t >= n or np.isnan(y[t]):
                continue
            err_model += abs(value - y[t])
            err_persist += abs(y[origin] - y[t])
            pairs += 1
            used = True
        origins += used
    if not pairs:
        return Backtest(None, None, 0, 0)
    return Backtest(float(err_model / pairs), float(err_persist / pairs), pairs, origins)
