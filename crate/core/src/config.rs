//! Configuration and its validation. Validation happens once, in
//! [`Config::validate`], so the state machine can trust every value.

use core::fmt;

use crate::time::MAX_MILLIS;

/// The largest `window_size` (and `half_open_max_calls`): the window's storage
/// is allocated once, when the breaker is created, at 16 bytes an outcome.
pub const MAX_WINDOW_SIZE: u32 = 4096;

/// How a breaker decides. Field docs give the JS name and the default.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "camelCase", deny_unknown_fields, default)
)]
pub struct Config {
    /// `failureThreshold`: failures within the window that open the circuit. Default 5.
    pub failure_threshold: u32,
    /// `windowSize`: most recent successes/failures tracked. Default 10.
    pub window_size: u32,
    /// `resetTimeoutMs`: time spent open before a probe is let through. Default 60000.
    pub reset_timeout_ms: u64,
    /// `successThreshold`: consecutive probe successes that close the circuit. Default 2.
    pub success_threshold: u32,
    /// `halfOpenMaxCalls`: probes in flight at once while half-open. Default 1.
    pub half_open_max_calls: u32,
    /// `failureRateThreshold`: also open when the window's failure rate reaches this (0 < r ≤ 1).
    pub failure_rate_threshold: Option<f64>,
    /// `minimumCalls`: outcomes the window must hold before the rate rule applies. Default `window_size`.
    pub minimum_calls: Option<u32>,
    /// `windowMs`: outcomes older than this leave the window.
    pub window_ms: Option<u64>,
    /// `slowCallMs`: a success that took at least this long counts as a failure.
    pub slow_call_ms: Option<u64>,
    /// `maxResetTimeoutMs`: each consecutive re-open doubles the open time, up to this. Default `reset_timeout_ms`.
    pub max_reset_timeout_ms: Option<u64>,
    /// `probeTimeoutMs`: a probe not settled within this counts as failed. Default `reset_timeout_ms`.
    pub probe_timeout_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            failure_threshold: 5,
            window_size: 10,
            reset_timeout_ms: 60_000,
            success_threshold: 2,
            half_open_max_calls: 1,
            failure_rate_threshold: None,
            minimum_calls: None,
            window_ms: None,
            slow_call_ms: None,
            max_reset_timeout_ms: None,
            probe_timeout_ms: None,
        }
    }
}

impl Config {
    /// Checks every value; the error names the first option that is wrong.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let window = self.window_size;
        count_in("windowSize", window, 1, MAX_WINDOW_SIZE)?;
        count_up_to_window("failureThreshold", self.failure_threshold, window)?;
        if let Some(minimum) = self.minimum_calls {
            count_up_to_window("minimumCalls", minimum, window)?;
        }
        count_in("successThreshold", self.success_threshold, 1, u32::MAX)?;
        count_in("halfOpenMaxCalls", self.half_open_max_calls, 1, MAX_WINDOW_SIZE)?;
        if let Some(rate) = self.failure_rate_threshold {
            // Written so that NaN fails too.
            if !(rate > 0.0 && rate <= 1.0) {
                return Err(ConfigError::FailureRateOutOfRange { value: rate });
            }
        }
        duration("resetTimeoutMs", Some(self.reset_timeout_ms))?;
        duration("windowMs", self.window_ms)?;
        duration("slowCallMs", self.slow_call_ms)?;
        duration("probeTimeoutMs", self.probe_timeout_ms)?;
        duration("maxResetTimeoutMs", self.max_reset_timeout_ms)?;
        if let Some(max) = self.max_reset_timeout_ms {
            if max < self.reset_timeout_ms {
                return Err(ConfigError::MaxResetBelowReset {
                    value: max,
                    reset_timeout_ms: self.reset_timeout_ms,
                });
            }
        }
        Ok(())
    }

    /// `minimumCalls`, or its default: `windowSize`.
    pub fn effective_minimum_calls(&self) -> u32 {
        self.minimum_calls.unwrap_or(self.window_size)
    }

    /// `maxResetTimeoutMs`, or its default: `resetTimeoutMs` (no backoff).
    pub fn effective_max_reset_timeout_ms(&self) -> u64 {
        self.max_reset_timeout_ms.unwrap_or(self.reset_timeout_ms)
    }

    /// `probeTimeoutMs`, or its default: `resetTimeoutMs`.
    pub fn effective_probe_timeout_ms(&self) -> u64 {
        self.probe_timeout_ms.unwrap_or(self.reset_timeout_ms)
    }

    /// The same config with every default that depends on another option filled in.
    pub fn resolved(&self) -> Config {
        Config {
            minimum_calls: Some(self.effective_minimum_calls()),
            max_reset_timeout_ms: Some(self.effective_max_reset_timeout_ms()),
            probe_timeout_ms: Some(self.effective_probe_timeout_ms()),
            ..self.clone()
        }
    }
}

fn count_in(option: &'static str, value: u32, min: u32, max: u32) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::CountOutOfRange { option, value, min, max })
    }
}

fn count_up_to_window(option: &'static str, value: u32, window_size: u32) -> Result<(), ConfigError> {
    if (1..=window_size).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::AboveWindowSize { option, value, window_size })
    }
}

fn duration(option: &'static str, value: Option<u64>) -> Result<(), ConfigError> {
    match value {
        Some(ms) if ms > MAX_MILLIS => Err(ConfigError::DurationTooLong { option, value: ms }),
        _ => Ok(()),
    }
}

/// Why a [`Config`] was refused. [`ConfigError::option`] names the option (JS spelling).
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// A count outside `min..=max`.
    CountOutOfRange { option: &'static str, value: u32, min: u32, max: u32 },
    /// `failureThreshold` or `minimumCalls` outside `1..=windowSize`.
    AboveWindowSize { option: &'static str, value: u32, window_size: u32 },
    /// `failureRateThreshold` not in `(0, 1]`.
    FailureRateOutOfRange { value: f64 },
    /// A duration beyond [`MAX_MILLIS`].
    DurationTooLong { option: &'static str, value: u64 },
    /// `maxResetTimeoutMs` below `resetTimeoutMs`.
    MaxResetBelowReset { value: u64, reset_timeout_ms: u64 },
}

impl ConfigError {
    /// The option at fault, as JS and the vectors spell it (`"failureThreshold"`).
    pub fn option(&self) -> &'static str {
        match self {
            ConfigError::CountOutOfRange { option, .. }
            | ConfigError::AboveWindowSize { option, .. }
            | ConfigError::DurationTooLong { option, .. } => option,
            ConfigError::FailureRateOutOfRange { .. } => "failureRateThreshold",
            ConfigError::MaxResetBelowReset { .. } => "maxResetTimeoutMs",
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::CountOutOfRange { option, value, min, max } => {
                write!(f, "{option} must be an integer from {min} to {max}; got {value}")
            }
            ConfigError::AboveWindowSize { option, value, window_size } => write!(
                f,
                "{option} must be an integer from 1 to windowSize ({window_size}); got {value}"
            ),
            // The value is left out: formatting an f64 would add 16 KB to every wasm build.
            ConfigError::FailureRateOutOfRange { .. } => {
                f.write_str("failureRateThreshold must be greater than 0 and at most 1")
            }
            ConfigError::DurationTooLong { option, value } => {
                write!(f, "{option} must be at most {MAX_MILLIS} ms; got {value}")
            }
            ConfigError::MaxResetBelowReset { value, reset_timeout_ms } => write!(
                f,
                "maxResetTimeoutMs must be at least resetTimeoutMs ({reset_timeout_ms}); got {value}"
            ),
        }
    }
}

impl core::error::Error for ConfigError {}
